package org.multiprocessing4j.internal.pool;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.internal.Timeouts;

/**
 * {@link AsyncResult} over a {@link CompletableFuture}. Callbacks run on the pool's single result thread and
 * before the result becomes ready (as CPython's {@code ApplyResult._set}); a callback that throws is
 * reported on standard error and does not stop the result. Cancellation by terminate runs no callback.
 */
final class PoolAsyncResult<R> implements AsyncResult<R> {
    private final HandOffFuture<R> future;
    private final PoolEngine engine;
    private final Consumer<? super R> callback;
    private final Consumer<? super Throwable> errorCallback;

    PoolAsyncResult(PoolEngine engine, Consumer<? super R> callback, Consumer<? super Throwable> errorCallback) {
        this.engine = engine;
        this.future = new HandOffFuture<>(engine.stages()); // NOTE: toCompletableFuture's copy keeps user stages off the relay
        this.callback = callback;
        this.errorCallback = errorCallback;
    }

    void complete(R value) {
        if (callback == null) {
            future.completeFromRelay(value);
        } else {
            onCallbackThread(() -> {
                try {
                    callback.accept(value);
                } catch (RuntimeException | Error e) {
                    report("callback", e);
                } finally {
                    future.complete(value);
                }
            });
        }
    }

    void fail(Throwable error) {
        // NOTE: only the pool's own cancellation skips the error callback; a task's CancellationException is an error
        if (errorCallback == null || error instanceof PoolCancellation) {
            future.completeExceptionallyFromRelay(PoolCancellation.forFuture(error));
        } else {
            onCallbackThread(() -> {
                try {
                    errorCallback.accept(error);
                } catch (RuntimeException | Error e) {
                    report("error callback", e);
                } finally {
                    future.completeExceptionally(PoolCancellation.forFuture(error));
                }
            });
        }
    }

    private void onCallbackThread(Runnable action) {
        try {
            engine.callbackThread().execute(action);
        } catch (RejectedExecutionException poolEnded) {
            action.run();
        }
    }

    private void report(String what, Throwable e) {
        System.err.println(engine.name() + ": a result " + what + " threw (ignored):");
        try {
            e.printStackTrace();
        } catch (RuntimeException | Error unprintable) {
            // NOTE: the callback's exception is user code too: printing calls its toString/getMessage, which may
            // throw; escaping here, it left the result never ready (a get() waiting for ever)
            System.err.println(e.getClass().getName() + " (cannot be printed: " + unprintable.getClass().getName() + ")");
        }
    }

    @Override
    public R get() throws InterruptedException, ExecutionException {
        refuseWaitForOwnThread();
        return future.get();
    }

    /**
     * An untimed wait on the callback thread for a result with a callback would never end: that callback,
     * which makes the result ready, runs on this same thread after the one waiting (CPython deadlocks here).
     *
     * @throws IllegalStateException if so
     */
    private void refuseWaitForOwnThread() {
        // NOTE: either callback: the one that runs depends on the outcome, unknown yet
        if ((callback != null || errorCallback != null) && !future.isDone() && engine.callbackThread().isCurrent()) {
            throw new IllegalStateException("a callback of " + engine.name() + " waits without a timeout for a result that has a callback:"
                    + " that callback runs on this same thread, after this one, so the wait would never end; use get(timeout),"
                    + " or wait elsewhere");
        }
    }

    @Override
    public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(timeout, unit);
    }

    @Override
    public R get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
    }

    @Override
    public void waitFor() throws InterruptedException {
        refuseWaitForOwnThread();
        try {
            future.get();
        } catch (ExecutionException | CancellationException e) {
            // ready
        }
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            future.get(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CancellationException e) {
            // ready
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    @Override
    public boolean ready() {
        return future.isDone();
    }

    @Override
    public boolean successful() {
        if (!future.isDone()) {
            throw new IllegalStateException("the result is not ready");
        }
        return !future.isCompletedExceptionally();
    }

    @Override
    public CompletableFuture<R> toCompletableFuture() {
        // NOTE: not future.copy(): a copy holds a CompletionException around the exception, so a result the
        // pool cancelled (terminate) read as failed there (isCancelled() false, get() threw ExecutionException),
        // and its stages were handed the wrapper. The very throwable this result holds is relayed instead, on the
        // thread that completes the result; the twin, a HandOffFuture, runs its own stages on the pool's StageRunner
        HandOffFuture<R> twin = new HandOffFuture<>(engine.stages());
        future.whenCompleteAsync((value, error) -> {
            if (error == null) {
                twin.complete(value);
            } else {
                twin.completeExceptionally(error);
            }
        }, Runnable::run);
        return twin;
    }

    /** Pool tasks are not cancelled one by one: always false (see {@link AsyncResult}). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return future.isCancelled();
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }

    @Override
    public String toString() {
        return "AsyncResult[" + (future.isDone() ? (future.isCompletedExceptionally() ? "failed" : "ready") : "pending") + "]";
    }
}
