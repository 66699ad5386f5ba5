package org.multiprocessing4j;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.pool.EndingOnFailure;
import org.multiprocessing4j.internal.pool.ExecutorJob;
import org.multiprocessing4j.internal.pool.ImapJob;
import org.multiprocessing4j.internal.pool.PoolEngine;
import org.multiprocessing4j.internal.pool.PoolSettings;
import org.multiprocessing4j.internal.pool.UnfinishedTasks;

/**
 * An {@link ExecutorService} whose tasks run in worker processes (child JVMs): Python's
 * {@code concurrent.futures.ProcessPoolExecutor}.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor ex = new ProcessPoolExecutor(4)) {
 *     CompletableFuture<Long> f = ex.submit(() -> fib(40));
 *     long total = ex.map(x -> x * x, List.of(1, 2, 3), 1).mapToLong(Integer::longValue).sum();
 * }
 * }</pre>
 *
 * <p><b>Tasks</b> must be serializable: a lambda passed to {@link #submit(SerializableCallable)} is; a plain
 * {@link Callable} or {@link Runnable} that is not {@link Serializable}, or one that captures something
 * unserializable, is refused at submit with {@link IllegalArgumentException} naming the class. Tasks are
 * encoded by the submitting thread; results and exceptions come back as in {@link Pool} (original type,
 * worker's stack trace, a root cause naming the worker), wrapped in {@link ExecutionException} by
 * {@code get()} as {@code Future} does.
 *
 * <p><b>Faults.</b> A worker that dies fails the task it held with {@link WorkerDiedException} (a
 * {@link BrokenProcessPoolException}) and is replaced: the executor heals, where CPython's breaks for good.
 * An initializer that throws breaks the executor: pending tasks fail, and later {@code submit}s throw,
 * {@link BrokenProcessPoolException}. With a {@linkplain Builder#taskTimeout task timeout}, a task running
 * longer has its worker killed and fails with {@link TaskTimeoutException}.
 *
 * <p><b>Lifecycle</b> ({@code ExecutorService}'s): {@link #shutdown()} refuses new tasks
 * ({@link RejectedExecutionException}) and lets queued ones run; {@link #shutdownNow()} cancels queued tasks
 * (returned) and kills the workers running tasks, whose futures fail with {@link CancellationException};
 * {@link #close()} shuts down and waits. A future's {@code cancel(false)} cancels a task no worker has
 * started; {@code cancel(true)} also stops a running one by killing its worker (which is replaced). {@link #map} reads
 * its input lazily (bounded look-ahead); input not read before {@code shutdown} is not read after it: the
 * stream then throws {@link IllegalStateException}. Thread-safe.
 *
 * <p><b>Exit of the JVM</b> (CPython's rule: "the entire Python program will not exit until all pending
 * futures are done executing"). While a task given to {@code submit} or {@code execute} (and so to
 * {@code invokeAll}/{@code invokeAny}) has no outcome yet (not completed, failed or cancelled), the executor
 * keeps one non-daemon thread alive, so returning from {@code main} does not end the JVM: it exits once
 * those tasks are done, whether or not {@link #shutdown()} was called. An idle executor keeps nothing
 * alive (its thread ends at most 10 ms after the last outcome), shut down or not: the JVM then exits as
 * usual and its exit hook ends the workers. {@link #shutdownNow()} cancels what is left, so it holds the
 * JVM up no longer. {@code System.exit}, SIGTERM and SIGINT are not delayed: the JVM's exit ends the
 * workers, and unfinished tasks are lost, as with any executor. A {@link #map} stream's chunks do not hold
 * the JVM up (they are not futures: results no one will read).
 */
public final class ProcessPoolExecutor implements ExecutorService {
    private final PoolEngine engine;
    private final UnfinishedTasks unfinished;

    /** An executor of {@link Multiprocessing#cpuCount()} workers in the default context. */
    public ProcessPoolExecutor() {
        this(builder());
    }

    /**
     * An executor of {@code maxWorkers} workers in the default context.
     *
     * @param maxWorkers the number of worker processes (at least 1)
     * @throws IllegalArgumentException if {@code maxWorkers <= 0}
     */
    public ProcessPoolExecutor(int maxWorkers) {
        this(builder().maxWorkers(maxWorkers));
    }

    private ProcessPoolExecutor(Builder b) {
        Context context = b.context != null ? b.context : Multiprocessing.defaultContext();
        if (context.isClosed()) {
            // NOTE: as Process.start refuses: the pool was made, and its first task failed as a broken pool
            throw new IllegalStateException("cannot make an executor: its context " + context + " is closed");
        }
        this.engine = new PoolEngine("ProcessPoolExecutor", b.maxWorkers, b.initializer, b.maxTasksPerChild, b.taskTimeout, context);
        this.unfinished = new UnfinishedTasks(engine.name());
        engine.keepAliveDuringStages(unfinished); // NOTE: stages of its futures hold the JVM up too, as the tasks do
    }

    /** {@return a new builder, with the defaults listed on {@link Builder}'s methods} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the number of worker processes} */
    public int maxWorkers() {
        return engine.processes();
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues {@code task}; the future completes with its result. Never blocks. Stages added to the future
     * without an executor ({@code thenApply}, {@code whenComplete}, ...) run on threads of the executor's own,
     * never on the threads that read the workers' answers, so a stage may wait for the executor or shut it
     * down; {@link #close()} and {@code shutdown(true, ..)} wait for the stages its futures started (a stage
     * that closes the executor does not wait for itself). A future completed by its user ({@code complete},
     * {@code completeExceptionally}, {@code completeAsync}, {@code orTimeout}, {@code completeOnTimeout}) before a worker started its
     * task withdraws the task, which never runs, as {@code CompletableFuture.supplyAsync} skips a supplier whose
     * future is already complete; a task already running runs on, and its result is dropped.
     *
     * @param <T> the type of the task's result
     * @param task the task to run in a worker process
     * @return a future completed with the task's result or failure
     * @throws IllegalArgumentException    if the task cannot be serialized
     * @throws RejectedExecutionException  after shutdown
     * @throws BrokenProcessPoolException  if the executor is broken
     */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        return submitTask(Objects.requireNonNull(task, "task"), null);
    }

    /** As {@link #submit(SerializableCallable)}; {@code task} must be {@link Serializable}. */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return submitTask(serializable(task), null);
    }

    /**
     * Runs {@code task} in a worker process; the future completes with {@code null} (Python's
     * {@code submit(fn)} of a function that returns nothing). A lambda or method reference that returns
     * nothing binds here without a cast, and is serializable for it; one that returns a value binds to
     * {@link #submit(SerializableCallable)}.
     *
     * @param task the task to run in a worker process
     * @return a future completed with {@code null} or the task's failure
     * @throws IllegalArgumentException    if the task cannot be serialized (for instance a captured value)
     * @throws RejectedExecutionException  after shutdown
     * @throws BrokenProcessPoolException  if the executor is broken
     */
    public CompletableFuture<Void> submit(SerializableRunnable task) {
        Objects.requireNonNull(task, "task");
        return submitTask(new RunnableTask<Void>(task), task, null);
    }

    /**
     * As {@link #submit(SerializableRunnable)}, without a future: a lambda that returns nothing binds here.
     *
     * @param command the task to run in a worker process
     * @throws IllegalArgumentException    if the task cannot be serialized
     * @throws RejectedExecutionException  after shutdown
     * @throws BrokenProcessPoolException  if the executor is broken
     */
    public void execute(SerializableRunnable command) {
        submit(command);
    }

    /** Runs {@code task} (which must be {@link Serializable}); the future completes with {@code null}. */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    /**
     * Runs {@code task} (which must be {@link Serializable}); the future completes with {@code result}
     * itself (the {@code ExecutorService} contract): it stays in this JVM, so it need not be serializable
     * and {@code get()} returns that very object, not a copy.
     *
     * @throws IllegalArgumentException    if the task cannot be serialized
     * @throws RejectedExecutionException  after shutdown
     * @throws BrokenProcessPoolException  if the executor is broken
     */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Runnable r = serializable(task);
        // NOTE: only the Runnable travels; the worker's answer (null) is replaced here by result
        return submitTask(new RunnableTask<T>(r), task, result);
    }

    /** As {@code submit(task)}, without a future. */
    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    private <T> CompletableFuture<T> submitTask(Callable<T> task, Runnable origin) {
        return submitTask(task, origin, null);
    }

    private <T> CompletableFuture<T> submitTask(Callable<T> task, Runnable origin, T localResult) {
        try {
            return ExecutorJob.submit(engine, unfinished, task, origin, localResult);
        } catch (IllegalStateException closed) {
            throw new RejectedExecutionException(closed.getMessage(), closed);
        }
    }

    private static <X> X serializable(X task) {
        Objects.requireNonNull(task, "task");
        if (!(task instanceof Serializable)) {
            throw new IllegalArgumentException("a ProcessPoolExecutor runs tasks in other JVMs, so they must be serializable; "
                    + task.getClass().getName() + " is not: write the task as a lambda where a SerializableCallable is "
                    + "expected (submit(() -> ...)), or make its class Serializable");
        }
        return task;
    }

    /**
     * A serializable Runnable as a task that returns {@code null} (a result given with it stays in the
     * submitting JVM: see {@link #submit(Runnable, Object)}).
     *
     * @param <T> the type the future is declared with
     * @param task the task to run in a worker process
     */
    private record RunnableTask<T>(Runnable task) implements SerializableCallable<T> {
        @Override
        public T call() {
            task.run();
            return null;
        }
    }

    // ---------------------------------------------------------------- map

    /**
     * {@code fn} over {@code items}, in order, as a lazy {@link Stream} (Python's {@code Executor.map}), chunksize 1.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return a lazy stream of the results, in input order
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map(fn, items, 1);
    }

    /**
     * {@code fn} over {@code items}, in input order, sent in chunks of {@code chunksize}, as a lazy stream:
     * the input is read by a background thread a bounded number of chunks ahead of the stream's consumer.
     * A task's exception is thrown by the stream at its position (unchecked as itself, checked wrapped in
     * {@link ProcessExecutionException}); the first exception the stream throws (a task's, the input's) ends
     * it as closing it does, closed or not (CPython's {@code map} generator cancels its pending futures when
     * it raises). Closing the stream (try-with-resources) stops reading the input and
     * cancels the chunks no worker has started (as closing CPython's {@code Executor.map} generator cancels
     * its pending futures): no further chunk is read or sent; chunks running when it is closed still finish.
     * A stream dropped (garbage collected) unclosed with results unread ends the same way.
     * An iterator taken from the stream before it was closed (or before it threw) goes on yielding the results
     * that arrive, and throws {@link java.util.concurrent.CancellationException} at the first cancelled chunk
     * (from {@code hasNext()} or {@code next()}).
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return a lazy stream of the results, in input order
     * @throws IllegalArgumentException   if {@code fn} cannot be serialized or {@code chunksize < 1}
     * @throws RejectedExecutionException after shutdown
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        Objects.requireNonNull(fn, "fn");
        ImapJob<R> results;
        try {
            results = ImapJob.start(engine, fn, false, items.iterator(), chunksize, true,
                    items instanceof Collection<?> c ? c.size() : -1);
        } catch (IllegalStateException closed) {
            throw new RejectedExecutionException(closed.getMessage(), closed);
        }
        // NOTE: closing the stream (try-with-resources) stops reading the input (its feeder thread ends, no
        // further chunk is queued) and cancels the queued chunks no worker has started; so does the first
        // exception the stream throws (EndingOnFailure), closed or not
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(EndingOnFailure.of(results), Spliterator.ORDERED), false)
                .onClose(() -> results.cancelUnstarted(new IllegalStateException("this map's stream was closed")));
    }

    // ---------------------------------------------------------------- invoke

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs every task; returns when all are done or the timeout passed. Then the unfinished are cancelled
     * with {@code cancel(true)}: queued ones never run, running ones have their worker killed and replaced.
     * Every future returned is done (the {@code ExecutorService} contract): one whose task had just ended in
     * its worker, its answer not yet read, is cancelled too, and that answer dropped.
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = deadline(timeout, unit);
        List<CompletableFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(task));
            }
            for (Future<T> f : futures) {
                if (f.isDone()) {
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    f.get(left, TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // reported through the future
                } catch (TimeoutException e) {
                    break;
                }
            }
        } finally {
            for (CompletableFuture<T> f : futures) {
                if (!f.isDone() && !f.cancel(true)) {
                    // NOTE: cancel(true) cannot stop a task that ended in its worker while its answer is on its way
                    // (read by a relay); invokeAll returns only done futures, so this one is cancelled anyway, as a
                    // FutureTask whose thread ignored the interrupt is. The answer, when read, completes nothing.
                    f.completeExceptionally(new CancellationException("invokeAll gave up on it: its timeout passed"));
                }
            }
        }
        return new ArrayList<>(futures);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * Runs the tasks; returns the result of one that succeeded and cancels the others with
     * {@code cancel(true)} (a worker still running one is killed and replaced).
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = deadline(timeout, unit);
        LinkedBlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        List<CompletableFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                CompletableFuture<T> f = submit(task);
                futures.add(f);
                f.whenCompleteAsync((r, e) -> done.add(f), Runnable::run); // NOTE: internal and quick: on the completing thread
            }
            ExecutionException last = null;
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<T> f = done.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny succeeded in time");
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            for (CompletableFuture<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    private static long deadline(long timeout, TimeUnit unit) {
        long nanos = unit.toNanos(timeout);
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Refuses new tasks; queued ones still run, and the JVM does not exit before they are done (see the
     * class doc); returns at once. Idempotent.
     */
    @Override
    public void shutdown() {
        engine.close();
    }

    /**
     * Python's {@code shutdown(wait, cancel_futures)}: refuses new tasks; with {@code cancelFutures}, cancels
     * the tasks no worker has started; with {@code wait}, returns when every worker has exited.
     *
     * @param wait whether to return only when every worker has exited
     * @param cancelFutures whether to cancel the tasks no worker has started
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void shutdown(boolean wait, boolean cancelFutures) throws InterruptedException {
        engine.close();
        if (cancelFutures) {
            engine.drainPending(false);
        }
        if (wait) {
            engine.awaitTermination(null);
        }
    }

    /**
     * Cancels the queued tasks and returns them (as {@code Runnable}s: the submitted Runnable, or a
     * {@link java.util.concurrent.FutureTask} of the submitted Callable), then kills the workers: running
     * tasks' futures fail with {@link CancellationException}. From then on the executor no longer keeps
     * the JVM alive.
     */
    @Override
    public List<Runnable> shutdownNow() {
        engine.close();
        List<Runnable> never = new ArrayList<>();
        for (Object origin : engine.drainPending(true)) {
            never.add((Runnable) origin);
        }
        engine.terminate();
        unfinished.release();
        return never;
    }

    @Override
    public boolean isShutdown() {
        return engine.isShutdown();
    }

    /**
     * Whether the executor was shut down and is done: every worker gone, and every stage its futures
     * started ended (see {@link #submit(SerializableCallable)}). Never blocks. True exactly when
     * {@code awaitTermination} would return true at once.
     */
    @Override
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    /**
     * Waits at most {@code timeout} until {@link #isTerminated()}: after a shutdown, for the queued tasks,
     * the workers' exit and the stages the futures started.
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return engine.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
    }

    /**
     * Waits at most {@code timeout} for the workers to exit after a shutdown.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return {@code true} if every worker has exited
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return engine.awaitTermination(Duration.ofNanos(Timeouts.nanos(timeout)));
    }

    /**
     * Shuts down and waits for queued tasks and the workers (the {@code ExecutorService.close()} contract:
     * if interrupted while waiting, it does {@link #shutdownNow()}, waits for the workers to be gone, and
     * returns with the interrupt flag set).
     */
    @Override
    public void close() {
        engine.close();
        boolean interrupted = false;
        while (true) {
            try {
                engine.awaitTermination(null);
                break;
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                }
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return a snapshot of the executor's counters} */
    public PoolStats stats() {
        return engine.stats();
    }

    @Override
    public String toString() {
        return engine.name() + "[maxWorkers=" + engine.processes() + (engine.isShutdown() ? ", shut down" : "") + "]";
    }

    /**
     * Builds a {@link ProcessPoolExecutor}: {@code ProcessPoolExecutor.builder().maxWorkers(n)
     * .initializer(() -> init()).maxTasksPerChild(n).context(ctx).build()}. Not thread-safe.
     */
    public static final class Builder {
        private int maxWorkers = Multiprocessing.cpuCount();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private Duration taskTimeout;
        private Context context;

        private Builder() {
        }

        /**
         * The number of workers (default {@link Multiprocessing#cpuCount()}).
         *
         * @param maxWorkers the number of worker processes (at least 1)
         * @return this builder
         */
        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = PoolSettings.checkWorkers("maxWorkers", maxWorkers);
            return this;
        }

        /**
         * Runs once in each worker first; if it throws, the executor is broken.
         *
         * @param initializer run once in each worker when it starts, or {@code null}
         * @return this builder
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * A worker exits after this many tasks and is replaced (default 0: never).
         *
         * @param maxTasksPerChild how many tasks a worker runs before it is replaced; zero: no limit
         * @return this builder
         */
        public Builder maxTasksPerChild(int maxTasksPerChild) {
            this.maxTasksPerChild = PoolSettings.checkMaxTasksPerChild(maxTasksPerChild);
            return this;
        }

        /**
         * Beyond Python: a task running longer has its worker killed and fails with {@link TaskTimeoutException}.
         * The time counts from when the task is handed to an idle worker (waiting in the queue does not use it
         * up; the task's transfer and decoding do, as does a fresh worker's first loading of its classes).
         *
         * @param taskTimeout how long one task may run before its worker is killed
         * @return this builder
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = PoolSettings.checkTaskTimeout(taskTimeout);
            return this;
        }

        /**
         * The context whose settings start the workers (default {@link Multiprocessing#defaultContext()}).
         *
         * @param context the context whose settings start the workers
         * @return this builder
         */
        public Builder context(Context context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Starts the workers (in the background: the first tasks queue until a worker is up).
         *
         * @return the new executor
         * @throws IllegalStateException if its context is closed
         */
        public ProcessPoolExecutor build() {
            return new ProcessPoolExecutor(this);
        }
    }
}
