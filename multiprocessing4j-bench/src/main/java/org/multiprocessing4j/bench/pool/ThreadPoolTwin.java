package org.multiprocessing4j.bench.pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The in-process twin of a process pool for the {@code threads/} lines: a {@link ThreadPoolExecutor} of
 * a fixed number of threads (an unbounded {@link LinkedBlockingQueue}, as {@code Executors.newFixedThreadPool}
 * builds it) and the pool calls written the way a Java programmer writes them over it. Each call does what
 * the process pool does, minus the isolation: the input is cut into the same chunks, one task per chunk,
 * all submitted at once; results come back in input order ({@link #map}, {@link #imap}) or in completion
 * order ({@link #imapUnordered}). Nothing is serialized or copied: that is the difference being measured.
 *
 * <p>Thread-safe as the executor is; each iterator is for one consuming thread. A task's exception is
 * rethrown by the call that reaches its result as {@link IllegalStateException} with the cause. An
 * interrupt while waiting restores the flag and throws {@link IllegalStateException}.
 */
public final class ThreadPoolTwin implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor executor;

    private ThreadPoolTwin(ThreadPoolExecutor executor) {
        this.executor = executor;
    }

    /** A pool of {@code threads} daemon threads, not started yet (an executor starts its threads on demand). */
    public static ThreadPoolTwin create(int threads) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor e = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "bench-threads-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new ThreadPoolTwin(e);
    }

    /** A pool of {@code threads} threads, all started (as a process pool starts its workers when built). */
    public static ThreadPoolTwin started(int threads) {
        ThreadPoolTwin t = create(threads);
        t.executor.prestartAllCoreThreads();
        return t;
    }

    /** The executor itself. */
    public ThreadPoolExecutor executor() {
        return executor;
    }

    /** Runs {@code task} on a pool thread. */
    public <R> Future<R> submit(Callable<R> task) {
        return executor.submit(task);
    }

    /** {@code fn} over {@code items} in chunks of {@code chunksize}, results in input order (Pool.map). */
    public <T, R> List<R> map(Function<? super T, ? extends R> fn, List<? extends T> items, int chunksize) {
        List<R> out = new ArrayList<>(items.size());
        for (Future<List<R>> f : ThreadPoolTwin.<T, R>submitChunks(executor, fn, items, chunksize)) {
            out.addAll(get(f));
        }
        return out;
    }

    /** {@code fn} over {@code items} in chunks, every chunk submitted at once; results in input order as they are read. */
    public <T, R> Iterator<R> imap(Function<? super T, ? extends R> fn, List<? extends T> items, int chunksize) {
        Iterator<Future<List<R>>> chunks = ThreadPoolTwin.<T, R>submitChunks(executor, fn, items, chunksize).iterator();
        return flatten(() -> chunks.hasNext() ? get(chunks.next()) : null);
    }

    /** {@code fn} over {@code items} in chunks, every chunk submitted at once; chunks' results in completion order. */
    public <T, R> Iterator<R> imapUnordered(Function<? super T, ? extends R> fn, List<? extends T> items, int chunksize) {
        CompletionService<List<R>> done = new ExecutorCompletionService<>(executor);
        int chunks = 0;
        for (int from = 0; from < items.size(); from += chunksize) {
            List<? extends T> chunk = items.subList(from, Math.min(items.size(), from + chunksize));
            done.submit(() -> ThreadPoolTwin.<T, R>apply(fn, chunk));
            chunks++;
        }
        int total = chunks;
        int[] taken = {0};
        return flatten(() -> {
            if (taken[0] == total) return null;
            taken[0]++;
            try {
                return get(done.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a thread pool result", e);
            }
        });
    }

    /** Shuts the executor down and waits for its threads to finish (Pool.close + join). */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                throw new IllegalStateException("thread pool still busy 60 s after shutdown");
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static <T, R> List<Future<List<R>>> submitChunks(ThreadPoolExecutor executor, Function<? super T, ? extends R> fn,
                                                             List<? extends T> items, int chunksize) {
        if (chunksize < 1) throw new IllegalArgumentException("chunksize must be at least 1, got " + chunksize);
        List<Future<List<R>>> futures = new ArrayList<>((items.size() + chunksize - 1) / chunksize);
        for (int from = 0; from < items.size(); from += chunksize) {
            List<? extends T> chunk = items.subList(from, Math.min(items.size(), from + chunksize));
            futures.add(executor.submit(() -> ThreadPoolTwin.<T, R>apply(fn, chunk)));
        }
        return futures;
    }

    private static <T, R> List<R> apply(Function<? super T, ? extends R> fn, List<? extends T> chunk) {
        List<R> out = new ArrayList<>(chunk.size());
        for (T item : chunk) {
            out.add(fn.apply(item));
        }
        return out;
    }

    /** The result of {@code f}, waiting for it. */
    public static <R> R get(Future<R> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a thread pool task failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a thread pool result", e);
        }
    }

    /** The items of the lists {@code next} returns, until it returns null. */
    private static <R> Iterator<R> flatten(Supplier<List<R>> next) {
        return new Iterator<>() {
            private Iterator<R> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    List<R> chunk = next.get();
                    if (chunk == null) return false;
                    current = chunk.iterator();
                }
                return true;
            }

            @Override
            public R next() {
                if (!hasNext()) throw new NoSuchElementException();
                return current.next();
            }
        };
    }
}
