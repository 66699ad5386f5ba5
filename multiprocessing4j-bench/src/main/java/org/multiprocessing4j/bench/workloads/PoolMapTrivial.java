package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.SQUARE;
import static org.multiprocessing4j.bench.pool.PoolTasks.check;
import static org.multiprocessing4j.bench.pool.PoolTasks.square;
import static org.multiprocessing4j.bench.pool.PoolTasks.sumOfSquares;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.IntRange;
import org.multiprocessing4j.bench.pool.ThreadPoolTwin;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code pool_map_trivial} (tasks/s) of {@code shared/bench/python/README.md}: one {@code Pool(2)} (default
 * context: a fresh JVM per worker), warmed with {@code map(square, range(1000))}, then
 * <ul>
 *   <li>{@code map_chunksize_default}: {@code pool.map(square, range(N), cs)}, N = 1,000,000 (100,000), with
 *       CPython's default chunksize {@code cs = ceil(N / (4 × 2))} = 125,000 (12,500) passed explicitly;</li>
 *   <li>{@code map_chunksize_1}: N = 20,000 (3,000), warm-up N/4;</li>
 *   <li>{@code imap_unordered_chunksize_1000}: iterating {@code imapUnordered(square, range(N), 1000)} to the
 *       end and summing, inside the timed region; N = 1,000,000 (100,000);</li>
 *   <li>{@code apply_async}: N × {@code applyAsync(() -> square(i))}, then {@code get()} each in submission
 *       order and summing; N = 20,000 (3,000), warm-up N/4.</li>
 * </ul>
 * {@code range(N)} is an {@link IntRange} (created inside the timed region as CPython's is; Integer items,
 * Long results). Sums are 64-bit and checked after the timed region (map) or at its end (the others).
 * The {@code threads/} lines do the same work in the same run on a {@link ThreadPoolTwin} of 2 threads,
 * warmed the same way, after the process pool's line of each variant. Run:
 * {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pool_map_trivial"}.
 */
public final class PoolMapTrivial implements Workload {
    private static final int PROCESSES = 2;

    /** The calls one variant makes, on a process pool or on its thread twin. */
    private interface Calls {
        List<Long> map(int n, int chunksize) throws Exception;

        long imapUnorderedSum(int n, int chunksize) throws Exception;

        long applyAsyncSum(int n) throws Exception;
    }

    @Override
    public String name() {
        return "pool_map_trivial";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Twins.comparedWithCPython("map_chunksize_default", "map_chunksize_1", "imap_unordered_chunksize_1000",
                "apply_async");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        try (Pool pool = new Pool(PROCESSES); ThreadPoolTwin threads = ThreadPoolTwin.started(PROCESSES)) {
            Calls processes = processCalls(pool);
            Calls twin = threadCalls(threads);
            pool.map(SQUARE, new IntRange(1000)); // the default chunksize, ceil(1000 / 8) = 125
            twin.map(1000, 125);

            int n = ctx.size(1_000_000, 100_000);
            int cs = (n + 4 * PROCESSES - 1) / (4 * PROCESSES); // Pool.map's default chunksize rule
            Map<String, Object> params = Result.params("N", n, "processes", PROCESSES, "chunksize", cs);
            for (String prefix : List.of("", Twins.PREFIX)) {
                Calls calls = prefix.isEmpty() ? processes : twin;
                ctx.emit(Result.of(name(), prefix + "map_chunksize_default", Repeat.stats(n, size -> {
                    long t0 = System.nanoTime();
                    List<Long> res = calls.map(size, cs);
                    long t1 = System.nanoTime();
                    checkMap(res, size);
                    return size / ((t1 - t0) / 1e9);
                }), "tasks/s", with(params, prefix)));
            }

            int n1 = ctx.size(20_000, 3_000);
            for (String prefix : List.of("", Twins.PREFIX)) {
                Calls calls = prefix.isEmpty() ? processes : twin;
                ctx.emit(Result.of(name(), prefix + "map_chunksize_1", Repeat.stats(n1, n1 / 4, size -> {
                    long t0 = System.nanoTime();
                    List<Long> res = calls.map(size, 1);
                    long t1 = System.nanoTime();
                    checkMap(res, size);
                    return size / ((t1 - t0) / 1e9);
                }), "tasks/s", with(Result.params("N", n1, "processes", PROCESSES, "chunksize", 1), prefix)));
            }

            int ni = ctx.size(1_000_000, 100_000);
            for (String prefix : List.of("", Twins.PREFIX)) {
                Calls calls = prefix.isEmpty() ? processes : twin;
                ctx.emit(Result.of(name(), prefix + "imap_unordered_chunksize_1000", Repeat.stats(ni, size -> {
                    long t0 = System.nanoTime();
                    long sum = calls.imapUnorderedSum(size, 1000);
                    long t1 = System.nanoTime();
                    check("imap_unordered sum of squares below " + size, sumOfSquares(size), sum);
                    return size / ((t1 - t0) / 1e9);
                }), "tasks/s", with(Result.params("N", ni, "processes", PROCESSES, "chunksize", 1000), prefix)));
            }

            int na = ctx.size(20_000, 3_000);
            for (String prefix : List.of("", Twins.PREFIX)) {
                Calls calls = prefix.isEmpty() ? processes : twin;
                ctx.emit(Result.of(name(), prefix + "apply_async", Repeat.stats(na, na / 4, size -> {
                    long t0 = System.nanoTime();
                    long sum = calls.applyAsyncSum(size);
                    long t1 = System.nanoTime();
                    check("apply_async sum of squares below " + size, sumOfSquares(size), sum);
                    return size / ((t1 - t0) / 1e9);
                }), "tasks/s", with(Result.params("N", na, "processes", PROCESSES), prefix)));
            }
        }
    }

    private static Calls processCalls(Pool pool) {
        return new Calls() {
            @Override
            public List<Long> map(int n, int chunksize) throws InterruptedException {
                return pool.map(SQUARE, new IntRange(n), chunksize);
            }

            @Override
            public long imapUnorderedSum(int n, int chunksize) {
                long s = 0;
                for (Iterator<Long> it = pool.imapUnordered(SQUARE, new IntRange(n), chunksize); it.hasNext(); ) {
                    s += it.next();
                }
                return s;
            }

            @Override
            public long applyAsyncSum(int n) throws Exception {
                List<AsyncResult<Long>> rs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int x = i;
                    rs.add(pool.applyAsync(() -> square(x)));
                }
                long s = 0;
                for (AsyncResult<Long> r : rs) {
                    s += r.get();
                }
                return s;
            }
        };
    }

    private static Calls threadCalls(ThreadPoolTwin threads) {
        return new Calls() {
            @Override
            public List<Long> map(int n, int chunksize) {
                return threads.map(SQUARE, new IntRange(n), chunksize);
            }

            @Override
            public long imapUnorderedSum(int n, int chunksize) {
                long s = 0;
                for (Iterator<Long> it = threads.imapUnordered(SQUARE, new IntRange(n), chunksize); it.hasNext(); ) {
                    s += it.next();
                }
                return s;
            }

            @Override
            public long applyAsyncSum(int n) throws Exception {
                List<Future<Long>> rs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int x = i;
                    rs.add(threads.submit(() -> square(x)));
                }
                long s = 0;
                for (Future<Long> r : rs) {
                    s += r.get();
                }
                return s;
            }
        };
    }

    private static void checkMap(List<Long> res, int n) {
        if (res.size() != n) throw new IllegalStateException("map returned " + res.size() + " results for " + n + " items");
        long s = 0;
        for (Long v : res) {
            s += v;
        }
        check("map sum of squares below " + n, sumOfSquares(n), s);
    }

    private static Map<String, Object> with(Map<String, Object> params, String prefix) {
        return Twins.params(params, !prefix.isEmpty(), Twins.inDefaultContext("org.multiprocessing4j.Pool(2)"));
    }
}
