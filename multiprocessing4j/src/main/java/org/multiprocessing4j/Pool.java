package org.multiprocessing4j;

import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.multiprocessing4j.internal.pool.CallJob;
import org.multiprocessing4j.internal.pool.Chunking;
import org.multiprocessing4j.internal.pool.ImapIterator;
import org.multiprocessing4j.internal.pool.ImapJob;
import org.multiprocessing4j.internal.pool.MapJob;
import org.multiprocessing4j.internal.pool.PoolEngine;
import org.multiprocessing4j.internal.pool.PoolSettings;

/**
 * A pool of worker processes (child JVMs) that run tasks: Python's {@code multiprocessing.Pool}.
 *
 * <pre>{@code
 * try (Pool pool = new Pool(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 *     AsyncResult<Long> r = pool.applyAsync(() -> slowComputation());
 * }
 * }</pre>
 *
 * <p><b>Tasks.</b> Functions and tasks are serializable lambdas ({@link SerializableCallable},
 * {@link SerializableFunction}, {@link SerializableBiFunction}); they and their arguments are encoded by
 * the calling thread with the context's {@link Serializer}, so something unserializable fails the call
 * with {@link IllegalArgumentException} naming its class. A result or exception that cannot travel back
 * fails only its own task. A task's exception reaches the caller as itself: original type and message,
 * the worker's stack trace, and a root cause naming the worker; {@code apply}/{@code map}/{@code starmap}
 * rethrow it (checked ones wrapped in {@link ProcessExecutionException}); {@link AsyncResult#get()} wraps
 * it in {@link ExecutionException}.
 *
 * <p><b>Scheduling.</b> Each worker is sent a few tasks ahead (so it never waits for this JVM between
 * tasks), but a worker that falls idle takes back a task another has not started, so no task waits behind
 * a busy worker while another is idle. What a worker holds ahead is bounded in count and in bytes (a child
 * JVM worker: 32 tasks, about 4 MiB of task messages counting the one it runs); a task that would go past
 * that goes only to a worker holding nothing. Map calls batch their input into chunks of
 * {@code chunksize} items, one task each: by default {@code ceil(n / (4 × processes))} for {@code map},
 * {@code starmap} and their async forms (CPython's rule), and 1 for {@code imap}/{@code imapUnordered},
 * which read their input lazily, at most {@code 8 × processes} chunks ahead of the consumer. A pool built
 * with {@link Builder#progressBar(boolean)} shows a terminal progress bar for map-family calls; {@link
 * #stats()} gives counters for monitoring.
 *
 * <p><b>Results.</b> The list a {@code map} or {@code starmap} returns is a mutable {@link List} of its own,
 * as an {@link java.util.ArrayList} is. When every result is an {@code Integer}, or every one a
 * {@code Long}, it keeps them in one primitive array and boxes an element each time it is read (so two
 * reads may give two equal but distinct objects); adding, removing or storing anything else turns it into
 * an ordinary list of objects. Numbers cross between the processes the same way, unboxed.
 *
 * <p><b>Faults.</b> A worker that dies holding a task (crash, {@code System.exit}, out of memory, SIGKILL)
 * fails exactly that task with {@link WorkerDiedException} and is replaced; nothing hangs. A task longer
 * than the {@linkplain Builder#taskTimeout task timeout} has its worker killed and fails with
 * {@link TaskTimeoutException}. If the initializer throws in a worker, or a worker cannot start, the pool
 * is broken: pending and later tasks fail with {@link BrokenProcessPoolException} (CPython would restart
 * workers forever). Workers are daemon processes: they end when this JVM ends, by any means.
 *
 * <p><b>Lifecycle.</b> RUNNING → {@link #close()} (no new calls; queued tasks finish; the workers exit;
 * then it waits for them, the {@code close()}+{@code join()} of Python and the {@code ExecutorService.close()}
 * convention) or {@link #terminate()} (workers killed now; unfinished results throw
 * {@link java.util.concurrent.CancellationException}). A call after either → {@link IllegalStateException}.
 * The input of an {@code imap} is read only while the pool runs: after {@code close()} its iterator throws
 * {@link IllegalStateException} at the first item not read, without waiting for an input that blocks (see
 * {@link ResultIterator}). Thread-safe: any thread may submit work.
 */
public final class Pool implements AutoCloseable {
    private final PoolEngine engine;

    /**
     * A pool of {@link Multiprocessing#cpuCount()} workers in the default context.
     *
     * @throws IllegalStateException if called in a daemon process (a pool worker is one), as in Python
     */
    public Pool() {
        this(builder());
    }

    /**
     * A pool of {@code processes} workers in the default context.
     *
     * @param processes the number of worker processes (at least 1)
     * @throws IllegalArgumentException if {@code processes < 1}
     * @throws IllegalStateException if called in a daemon process (a pool worker is one), as in Python
     */
    public Pool(int processes) {
        this(builder().processes(processes));
    }

    private Pool(Builder b) {
        Context context = b.context != null ? b.context : Multiprocessing.defaultContext();
        if (context.isClosed()) {
            // NOTE: as Process.start refuses: the pool was made, and its first task failed as a broken pool
            throw new IllegalStateException("cannot make a pool: its context " + context + " is closed");
        }
        this.engine = new PoolEngine("Pool", b.processes, b.initializer, b.maxTasksPerChild, b.taskTimeout, context);
        engine.showProgressBars(b.progressBar);
    }

    /** {@return a new builder, with the defaults listed on {@link Builder}'s methods} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the number of worker processes} */
    public int processes() {
        return engine.processes();
    }

    // ---------------------------------------------------------------- apply

    /**
     * Runs {@code task} in a worker and returns its result (Python's {@code apply}). Blocks until it is done.
     *
     * @param <R> the type of the results
     * @param task the task to run in a worker process
     * @return the task's result
     * @throws IllegalArgumentException   if the task cannot be serialized
     * @throws IllegalStateException      if the pool was closed or terminated
     * @throws ProcessExecutionException  if the task threw a checked exception (the cause)
     * @throws WorkerDiedException        if its worker died; {@link TaskTimeoutException} if it timed out
     * @throws java.util.concurrent.CancellationException if the pool was terminated first
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <R> R apply(SerializableCallable<R> task) throws InterruptedException {
        return await(applyAsync(task));
    }

    /**
     * Queues {@code task} and returns its pending result (Python's {@code apply_async}). Never blocks.
     *
     * @param <R> the type of the results
     * @param task the task to run in a worker process
     * @return the pending result
     */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task) {
        return applyAsync(task, null, null);
    }

    /**
     * As {@link #applyAsync(SerializableCallable)}, calling {@code callback} with the result on success.
     *
     * @param <R> the type of the results
     * @param task the task to run in a worker process
     * @param callback called in this JVM with the result on success, or {@code null}
     * @return the pending result
     */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task, Consumer<? super R> callback) {
        return applyAsync(task, callback, null);
    }

    /**
     * As {@link #applyAsync(SerializableCallable)}; {@code callback} gets the result, {@code errorCallback}
     * the exception (either may be null). Both run in this JVM on the pool's single result thread, one at a
     * time, before the result is ready; they should be quick, and must not wait for another result that has
     * a callback (its callback would wait behind this one: CPython deadlocks there; here an untimed wait
     * throws {@link IllegalStateException}, see {@link AsyncResult}). A callback that
     * throws is reported on standard error and the result is set all the same; later callbacks still run
     * (CPython's result thread would die and leave the pool hanging).
     *
     * @param <R> the type of the results
     * @param task the task to run in a worker process
     * @param callback called in this JVM with the result on success, or {@code null}
     * @param errorCallback called in this JVM with the exception on failure, or {@code null}
     * @return the pending result
     */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task, Consumer<? super R> callback,
                                         Consumer<? super Throwable> errorCallback) {
        Objects.requireNonNull(task, "task");
        return CallJob.submit(engine, task, callback, errorCallback);
    }

    // ---------------------------------------------------------------- map

    /**
     * {@code fn} applied to every item, in order (Python's {@code map}), with the default chunk size.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the results, in input order
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) throws InterruptedException {
        return await(mapAsync(fn, items));
    }

    /**
     * {@code fn} applied to every item, in order, sent in chunks of {@code chunksize}. Blocks until every
     * chunk has finished; then the first error that arrived is thrown, as {@link #apply} does.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in input order
     * @throws IllegalArgumentException if {@code fn} or an item cannot be serialized, or chunksize &lt; 1
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize)
            throws InterruptedException {
        return await(mapAsync(fn, items, chunksize));
    }

    /**
     * As {@link #map(SerializableFunction, Iterable)}, returning at once with the pending results. Never blocks.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the pending list of results, in input order
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), false, items, 0, null, null);
    }

    /**
     * As {@link #map(SerializableFunction, Iterable, int)}, returning at once with the pending results.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the pending list of results, in input order
     * @throws IllegalArgumentException if chunksize &lt; 1
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), false, items, Chunking.checked(chunksize), null, null);
    }

    /**
     * As {@link #mapAsync(SerializableFunction, Iterable, int)} with callbacks, as {@code applyAsync}'s.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @param callback called in this JVM with the result on success, or {@code null}
     * @param errorCallback called in this JVM with the exception on failure, or {@code null}
     * @return the pending list of results, in input order
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize,
                                                Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), false, items, Chunking.checked(chunksize), callback, errorCallback);
    }

    // ---------------------------------------------------------------- starmap

    /**
     * {@code fn(key, value)} for every pair, in order (Python's {@code starmap}), default chunk size.
     *
     * @param <A> the type of the first element of each pair
     * @param <B> the type of the second element of each pair
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param pairs the inputs, one call of {@code fn} (key, value) each
     * @return the results, in input order
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <A, B, R> List<R> starmap(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) throws InterruptedException {
        return await(starmapAsync(fn, pairs));
    }

    /**
     * {@code fn(key, value)} for every pair, in order, sent in chunks of {@code chunksize}; errors as in
     * {@link #map(SerializableFunction, Iterable, int)}.
     *
     * @param <A> the type of the first element of each pair
     * @param <B> the type of the second element of each pair
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param pairs the inputs, one call of {@code fn} (key, value) each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in input order
     * @throws IllegalArgumentException if chunksize &lt; 1
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <A, B, R> List<R> starmap(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize) throws InterruptedException {
        return await(starmapAsync(fn, pairs, chunksize));
    }

    /**
     * As {@code starmap}, returning at once with the pending results (Python's {@code starmap_async}).
     *
     * @param <A> the type of the first element of each pair
     * @param <B> the type of the second element of each pair
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param pairs the inputs, one call of {@code fn} (key, value) each
     * @return the pending list of results, in input order
     */
    public <A, B, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), true, pairs, 0, null, null);
    }

    /**
     * As {@code starmap} with {@code chunksize}, returning at once with the pending results.
     *
     * @param <A> the type of the first element of each pair
     * @param <B> the type of the second element of each pair
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param pairs the inputs, one call of {@code fn} (key, value) each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the pending list of results, in input order
     * @throws IllegalArgumentException if chunksize &lt; 1
     */
    public <A, B, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), true, pairs, Chunking.checked(chunksize), null, null);
    }

    /**
     * As {@code starmapAsync} with callbacks, as {@code applyAsync}'s.
     *
     * @param <A> the type of the first element of each pair
     * @param <B> the type of the second element of each pair
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param pairs the inputs, one call of {@code fn} (key, value) each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @param callback called in this JVM with the result on success, or {@code null}
     * @param errorCallback called in this JVM with the exception on failure, or {@code null}
     * @return the pending list of results, in input order
     * @throws IllegalArgumentException if chunksize &lt; 1
     */
    public <A, B, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize,
                                                       Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        return MapJob.submit(engine, Objects.requireNonNull(fn, "fn"), true, pairs, Chunking.checked(chunksize), callback, errorCallback);
    }

    // ---------------------------------------------------------------- imap

    /**
     * Lazy ordered map (Python's {@code imap}), chunk size 1.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the results, in input order
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return imap(fn, items, 1);
    }

    /**
     * Lazy ordered map over {@code items}, sent in chunks of {@code chunksize}; see
     * {@link #imap(SerializableFunction, Iterator, int)}.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in input order
     * @throws IllegalArgumentException if {@code fn} cannot be serialized or chunksize &lt; 1
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        return ImapIterator.of(ImapJob.start(engine, Objects.requireNonNull(fn, "fn"), false, items.iterator(), chunksize, true, sizeOf(items)));
    }

    /**
     * Lazy ordered map over an iterator, read in the background, chunk size 1.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the results, in input order
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> items) {
        return imap(fn, items, 1);
    }

    /**
     * Results of {@code fn} over {@code items} in input order, as they become available; {@code items} is
     * read lazily by a background thread of this pool, so it may be endless. See {@link ResultIterator}.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in input order
     * @throws IllegalArgumentException if {@code fn} cannot be serialized or chunksize &lt; 1
     */
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> items, int chunksize) {
        return ImapIterator.of(ImapJob.start(engine, Objects.requireNonNull(fn, "fn"), false, Objects.requireNonNull(items, "items"), chunksize, true, -1));
    }

    /**
     * As {@code imap}, results in completion order (Python's {@code imap_unordered}), chunk size 1.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the results, in completion order
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return imapUnordered(fn, items, 1);
    }

    /**
     * As {@code imap} with {@code chunksize}, results in completion order (within a chunk, input order).
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in completion order
     * @throws IllegalArgumentException if {@code fn} cannot be serialized or chunksize &lt; 1
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        return ImapIterator.of(ImapJob.start(engine, Objects.requireNonNull(fn, "fn"), false, items.iterator(), chunksize, false, sizeOf(items)));
    }

    private static long sizeOf(Iterable<?> items) {
        return items instanceof Collection<?> c ? c.size() : -1;
    }

    /**
     * As {@code imap} over an iterator, results in completion order, chunk size 1.
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @return the results, in completion order
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> items) {
        return imapUnordered(fn, items, 1);
    }

    /**
     * As {@link #imap(SerializableFunction, Iterator, int)}, results in completion order (within a chunk, input order).
     *
     * @param <T> the type of the input items
     * @param <R> the type of the results
     * @param fn the function applied to each item in a worker process
     * @param items the inputs, one call of {@code fn} each
     * @param chunksize how many items a worker gets in one message (at least 1)
     * @return the results, in completion order
     */
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> items, int chunksize) {
        return ImapIterator.of(ImapJob.start(engine, Objects.requireNonNull(fn, "fn"), false, Objects.requireNonNull(items, "items"), chunksize, false, -1));
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops taking calls, lets queued tasks finish, lets the workers exit and waits for them (Python's
     * {@code close()} followed by {@code join()}). Idempotent.
     *
     * @throws ProcessError if interrupted while waiting (the flag is restored; the workers finish in the
     *                      background)
     */
    @Override
    public void close() {
        engine.close();
        try {
            engine.awaitTermination(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while " + engine.name() + " finished its tasks (they go on)", e);
        }
    }

    /**
     * Kills the workers now (Python's {@code terminate()}); results not yet ready throw
     * {@link java.util.concurrent.CancellationException}. Returns once the workers are gone (SIGKILL; a few
     * ms). Idempotent.
     *
     * @throws ProcessError if interrupted while waiting for them (the flag is restored)
     */
    public void terminate() {
        engine.terminate();
        try {
            engine.awaitTermination(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while " + engine.name() + "'s killed workers were reaped", e);
        }
    }

    /**
     * Waits for the workers to exit after {@link #close()} or {@link #terminate()}.
     *
     * @throws IllegalStateException if the pool is still running
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void join() throws InterruptedException {
        if (!engine.isShutdown()) {
            throw new IllegalStateException("join() needs close() or terminate() first: " + engine.name() + " is running");
        }
        engine.awaitTermination(null);
    }

    /** {@return a snapshot of the pool's counters} Never blocks for long. */
    public PoolStats stats() {
        return engine.stats();
    }

    @Override
    public String toString() {
        return engine.name() + "[processes=" + engine.processes() + (engine.isShutdown() ? ", closed" : "") + "]";
    }

    private static <R> R await(AsyncResult<R> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ProcessExecutionException("a pool task raised " + cause, cause);
        }
    }

    /**
     * Builds a {@link Pool}: {@code Pool.builder().processes(4).initializer(() -> init())
     * .maxTasksPerChild(100).taskTimeout(Duration.ofMinutes(5)).context(ctx).build()}. Not thread-safe.
     */
    public static final class Builder {
        private int processes = Multiprocessing.cpuCount();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private Duration taskTimeout;
        private Context context;
        private boolean progressBar;

        private Builder() {
        }

        /**
         * Map-family calls ({@code map}, {@code starmap}, {@code imap}, their async forms) show a progress
         * bar on standard error: items done of total, rate, time left (default off). Redrawn in place on a
         * terminal; otherwise a line every 5 seconds and one at the end.
         *
         * @param show whether to show the progress bar
         * @return this builder
         */
        public Builder progressBar(boolean show) {
            this.progressBar = show;
            return this;
        }

        /**
         * The number of workers (default: {@link Multiprocessing#cpuCount()}); at least 1.
         *
         * @param processes the number of worker processes (at least 1)
         * @return this builder
         */
        public Builder processes(int processes) {
            this.processes = PoolSettings.checkWorkers("processes", processes);
            return this;
        }

        /**
         * Runs once in each worker before its first task (Python's {@code initializer} with {@code initargs} captured).
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
         * A task running longer than this has its worker killed and fails with {@link TaskTimeoutException}.
         * A chunk of a {@code map}-family call is one task: the limit is for the whole chunk, not per item.
         * The time counts from when the task is handed to an idle worker: waiting in the pool's queue does not
         * use it up; the task's transfer and decoding do, as does a fresh worker's first loading of its classes.
         *
         * @param taskTimeout how long one task may run before its worker is killed
         * @return this builder
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = PoolSettings.checkTaskTimeout(taskTimeout);
            return this;
        }

        /**
         * The context whose settings start the workers (default: {@link Multiprocessing#defaultContext()}).
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
         * @return the new pool
         * @throws IllegalStateException if its context is closed
         */
        public Pool build() {
            return new Pool(this);
        }
    }
}
