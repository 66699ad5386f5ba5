package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.SQUARE;
import static org.multiprocessing4j.bench.pool.PoolTasks.check;
import static org.multiprocessing4j.bench.pool.PoolTasks.square;
import static org.multiprocessing4j.bench.pool.PoolTasks.sumOfSquares;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.IntRange;
import org.multiprocessing4j.bench.pool.ThreadPoolTwin;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code executor} (tasks/s) of {@code shared/bench/python/README.md}: one {@code ProcessPoolExecutor(2)}
 * (default context: a JVM per worker), warmed by consuming {@code map(square, range(100))}, then
 * <ul>
 *   <li>{@code submit}: N × {@code submit(() -> square(i))}, then {@code get()} each in order, summing;
 *       N = 20,000 (1,000), warm-up N/4;</li>
 *   <li>{@code map_chunksize_1000}: the sum over the stream {@code map(square, range(N), 1000)};
 *       N = 1,000,000 (100,000), warm-up N/4.</li>
 * </ul>
 * Both sums are 64-bit and checked at the end of the timed region. The {@code threads/} lines do the same on a
 * {@link ThreadPoolTwin} of 2 threads ({@code ThreadPoolExecutor.submit}; chunks of 1000 read in order).
 * Run: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only executor"}.
 */
public final class ExecutorThroughput implements Workload {
    private static final int WORKERS = 2;

    @Override
    public String name() {
        return "executor";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Twins.comparedWithCPython("submit", "map_chunksize_1000");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(WORKERS); ThreadPoolTwin threads = ThreadPoolTwin.started(WORKERS)) {
            check("warm-up map", sumOfSquares(100), ex.map(SQUARE, new IntRange(100)).mapToLong(Long::longValue).sum());
            threads.map(SQUARE, new IntRange(100), 1);

            int n = ctx.size(20_000, 1_000);
            Map<String, Object> params = Result.params("N", n, "max_workers", WORKERS);
            ctx.emit(Result.of(name(), "submit", Repeat.stats(n, n / 4, size -> {
                long t0 = System.nanoTime();
                List<CompletableFuture<Long>> fs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    int x = i;
                    fs.add(ex.submit(() -> square(x)));
                }
                long s = 0;
                for (CompletableFuture<Long> f : fs) {
                    s += f.get();
                }
                long t1 = System.nanoTime();
                check("executor submit sum of squares below " + size, sumOfSquares(size), s);
                return size / ((t1 - t0) / 1e9);
            }), "tasks/s", Twins.params(params, false, Twins.inDefaultContext("org.multiprocessing4j.ProcessPoolExecutor(2)"))));
            ctx.emit(Result.of(name(), Twins.PREFIX + "submit", Repeat.stats(n, n / 4, size -> {
                long t0 = System.nanoTime();
                List<Future<Long>> fs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    int x = i;
                    fs.add(threads.submit(() -> square(x)));
                }
                long s = 0;
                for (Future<Long> f : fs) {
                    s += f.get();
                }
                long t1 = System.nanoTime();
                check("thread pool submit sum of squares below " + size, sumOfSquares(size), s);
                return size / ((t1 - t0) / 1e9);
            }), "tasks/s", Twins.params(params, true, null)));

            int nm = ctx.size(1_000_000, 100_000);
            Map<String, Object> mparams = Result.params("N", nm, "max_workers", WORKERS, "chunksize", 1000);
            ctx.emit(Result.of(name(), "map_chunksize_1000", Repeat.stats(nm, nm / 4, size -> {
                long t0 = System.nanoTime();
                long s = ex.map(SQUARE, new IntRange(size), 1000).mapToLong(Long::longValue).sum();
                long t1 = System.nanoTime();
                check("executor map sum of squares below " + size, sumOfSquares(size), s);
                return size / ((t1 - t0) / 1e9);
            }), "tasks/s", Twins.params(mparams, false, Twins.inDefaultContext("org.multiprocessing4j.ProcessPoolExecutor(2)"))));
            ctx.emit(Result.of(name(), Twins.PREFIX + "map_chunksize_1000", Repeat.stats(nm, nm / 4, size -> {
                long t0 = System.nanoTime();
                long s = 0;
                for (Iterator<Long> it = threads.imap(SQUARE, new IntRange(size), 1000); it.hasNext(); ) {
                    s += it.next();
                }
                long t1 = System.nanoTime();
                check("thread pool map sum of squares below " + size, sumOfSquares(size), s);
                return size / ((t1 - t0) / 1e9);
            }), "tasks/s", Twins.params(mparams, true, null)));
        }
    }
}
