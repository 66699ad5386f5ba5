package org.multiprocessing4j;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The pending result of a {@link Pool} call ({@code applyAsync}, {@code mapAsync}, {@code starmapAsync}):
 * Python's {@code AsyncResult}, as a {@link Future}.
 *
 * <table class="striped">
 * <caption>Waiting for the result</caption>
 * <tr><th>Call</th><th>Blocks</th><th>A task's exception</th><th>Not ready in time</th></tr>
 * <tr><td>{@link #get()}</td><td>until ready</td><td>{@link ExecutionException} with it as cause</td><td>-</td></tr>
 * <tr><td>{@link #get(Duration)}</td><td>timed</td><td>{@link ExecutionException}</td><td>{@link TimeoutException}</td></tr>
 * <tr><td>{@link #waitFor(Duration)}</td><td>timed</td><td>returns {@code true}</td><td>returns {@code false}</td></tr>
 * <tr><td>{@link #ready()}, {@link #successful()}</td><td>never</td><td>-</td><td>-</td></tr>
 * </table>
 *
 * <p>A task that failed in its worker reaches {@link ExecutionException#getCause()} as itself: original
 * type, message, the worker's stack trace, and a root cause naming the worker that raised it. After
 * {@link Pool#terminate()} an unfinished result never becomes ready with a value: {@code get} throws
 * {@link java.util.concurrent.CancellationException}. Pool tasks cannot be cancelled one by one:
 * {@link #cancel(boolean)} returns {@code false} and changes nothing (Python has no such call; stop
 * work with {@link Pool#terminate()}, or use {@link ProcessPoolExecutor} whose futures cancel pending
 * tasks). Callbacks given with the call have run (in the pool's result thread) before the result is
 * ready. Blocking methods throw {@link InterruptedException} when interrupted. Thread-safe.
 *
 * <p>Inside a callback (on the pool's result thread), the untimed {@link #get()} and {@link #waitFor()} of a
 * result that is not ready and has a callback of its own throw {@link IllegalStateException}: that callback
 * would run on the same thread after the waiting one, so the wait could never end (CPython deadlocks there).
 *
 * @param <R> the type of the result
 */
public interface AsyncResult<R> extends Future<R> {

    /**
     * Waits at most {@code timeout} for the result.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the task's result
     * @throws TimeoutException   if it is not ready in time (the work goes on)
     * @throws ExecutionException if the task failed; the cause is the task's exception
     * @throws java.util.concurrent.CancellationException if the pool was terminated first
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    R get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException;

    /**
     * Waits until the result is ready (Python's {@code wait()}).
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void waitFor() throws InterruptedException;

    /**
     * Waits at most {@code timeout} until the result is ready; returns whether it is.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return {@code true} if the result is ready
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /** {@return {@code true} if the call has completed, successfully or not} Never blocks. */
    boolean ready();

    /**
     * Whether the call completed without an exception.
     *
     * @return {@code true} if the call completed without an exception
     * @throws IllegalStateException if it is not ready yet (Python raises {@code ValueError})
     */
    boolean successful();

    /**
     * A {@link CompletableFuture} completed with this result (or its exception, unwrapped: its stages are
     * handed the task's exception itself), and cancelled if this result is ({@link Pool#terminate()}). Completing or
     * cancelling the returned future does not affect this result. Stages added to it without an executor
     * ({@code thenApply}, {@code whenComplete}, ...) run on threads of the pool's own, never on the threads that
     * read the workers' answers, so a stage may wait for the pool or close it; the pool's {@code close()} and
     * {@code join()} wait for the stages its results started (a stage that closes the pool does not wait
     * for itself).
     *
     * @return a {@link CompletableFuture} completed with this result (or its exception, unwrapped)
     */
    CompletableFuture<R> toCompletableFuture();
}
