package org.multiprocessing4j.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Pool;

/**
 * A short side-by-side run (not a test, not JMH): the {@code pool_map_trivial} variants, {@code apply_async}
 * and {@code pool_map_spin} of {@code shared/bench/python/README.md} (small sizes), on a local {@code Pool(2)}
 * and on a cluster of 1, 2 and 3 loopback members (one worker each, the pool with one worker per member).
 * Median of 3 runs after a warm-up. Run with the module's test class path:
 * {@code java -cp ... org.multiprocessing4j.hazelcast.ClusterBench}.
 */
public final class ClusterBench {
    private static final int MAP_N = 100_000;
    private static final int ONE_N = 2_000;
    private static final int ASYNC_N = 2_000;
    private static final int SPIN_TASKS = 64;
    private static final int SPIN_MS = 5;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("setup                     map_default/s  map_cs1/s  apply_async/s  spin_64x5ms_ms  spin_eff");
        try (Pool pool = Pool.builder().processes(2).context(Multiprocessing.defaultContext()).build()) {
            run("local Pool(2)", pool, 2);
        }
        for (int members : new int[] {1, 2, 3}) {
            try (MemberCluster cluster = new MemberCluster(members, 1)) {
                Context context = cluster.context(Duration.ofSeconds(30));
                try (Pool pool = Pool.builder().processes(members).context(context).build()) {
                    run("cluster " + members + " member(s)", pool, members);
                }
            }
        }
    }

    private static void run(String setup, Pool pool, int processes) throws Exception {
        pool.map(x -> x * x, range(1000));
        int cs = (MAP_N + 4 * processes - 1) / (4 * processes);
        double mapDefault = median(() -> rate(MAP_N, () -> pool.map(x -> (long) x * x, range(MAP_N), cs)));
        pool.map(x -> x, range(ONE_N / 4), 1);
        double mapOne = median(() -> rate(ONE_N, () -> pool.map(x -> (long) x * x, range(ONE_N), 1)));
        double async = median(() -> rate(ASYNC_N, () -> {
            List<AsyncResult<Long>> rs = new ArrayList<>(ASYNC_N);
            for (int i = 0; i < ASYNC_N; i++) {
                long v = i;
                rs.add(pool.applyAsync(() -> v * v));
            }
            long sum = 0;
            for (AsyncResult<Long> r : rs) {
                sum += r.get(Duration.ofMinutes(2));
            }
            return sum;
        }));
        double spinMs = median(() -> {
            long t0 = System.nanoTime();
            pool.map(ClusterBench::spin, IntStream.range(0, SPIN_TASKS).map(i -> SPIN_MS).boxed().toList(), 1);
            return (System.nanoTime() - t0) / 1e6;
        });
        double ideal = SPIN_TASKS * SPIN_MS / (double) processes;
        System.out.println(String.format(Locale.ROOT, "%-24s %14.0f %10.0f %14.0f %15.1f %9.2f", setup, mapDefault, mapOne, async, spinMs, ideal / spinMs));
    }

    private static long spin(int ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        long n = 0;
        while (System.nanoTime() < end) {
            n++;
        }
        return n;
    }

    private interface Measure {
        double run() throws Exception;
    }

    private interface Work {
        Object run() throws Exception;
    }

    private static double rate(int n, Work work) throws Exception {
        long t0 = System.nanoTime();
        work.run();
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(Measure m) throws Exception {
        double[] v = {m.run(), m.run(), m.run()};
        java.util.Arrays.sort(v);
        return v[1];
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
