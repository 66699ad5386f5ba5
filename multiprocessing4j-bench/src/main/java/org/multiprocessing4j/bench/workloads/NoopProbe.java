package org.multiprocessing4j.bench.workloads;

import java.util.Arrays;
import java.util.List;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Percentiles;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code noop_probe}: JVM-only, proves the harness end to end and records the cost of the clock every
 * workload reads. One repetition reads {@link System#nanoTime()} N + 1 times back to back, N = 1,000,000
 * (100,000), storing each difference; it yields {@code mean} = total / N and the nearest-rank {@code p50}
 * and {@code p99} of the differences, in ns. Each line's value is the median over 5 repetitions after
 * 1 warm-up, like {@code pipe_pingpong}'s mean / p50 / p99. No CPython counterpart.
 *
 * <p>Run alone: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--quick --only noop_probe"}.
 */
public final class NoopProbe implements Workload {

    private record Rep(double mean, double p50, double p99) {
    }

    /** Creates the workload; nothing is allocated until it runs. */
    public NoopProbe() {
    }

    @Override
    public String name() {
        return "noop_probe";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(1_000_000, 100_000);
        long[] deltas = new long[n];
        List<Rep> reps = Repeat.measured(n, n, size -> once(deltas, size));
        var params = Result.params("N", n, "clock", "System.nanoTime");
        ctx.emit(Result.of(name(), "nano_time/mean", Stats.of(reps.stream().mapToDouble(Rep::mean).toArray()), "ns", params));
        ctx.emit(Result.of(name(), "nano_time/p50", Stats.of(reps.stream().mapToDouble(Rep::p50).toArray()), "ns", params));
        ctx.emit(Result.of(name(), "nano_time/p99", Stats.of(reps.stream().mapToDouble(Rep::p99).toArray()), "ns", params));
    }

    private static Rep once(long[] deltas, int n) {
        long start = System.nanoTime();
        long prev = start;
        for (int i = 0; i < n; i++) {
            long now = System.nanoTime(); // one chained read per iteration, as the README's latency loops do
            deltas[i] = now - prev;
            prev = now;
        }
        long[] sorted = Arrays.copyOf(deltas, n);
        Arrays.sort(sorted);
        return new Rep((double) (prev - start) / n, Percentiles.nearestRank(sorted, 50), Percentiles.nearestRank(sorted, 99));
    }
}
