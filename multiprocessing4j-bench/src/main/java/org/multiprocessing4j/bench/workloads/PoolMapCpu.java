package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.CPU_TASK;
import static org.multiprocessing4j.bench.pool.PoolTasks.CPU_TASK_200K;
import static org.multiprocessing4j.bench.pool.PoolTasks.SPIN_TASK;
import static org.multiprocessing4j.bench.pool.PoolTasks.SQUARE;
import static org.multiprocessing4j.bench.pool.PoolTasks.cpuTask;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.IntRange;
import org.multiprocessing4j.bench.pool.PoolTasks;
import org.multiprocessing4j.bench.pool.ThreadPoolTwin;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code pool_map_cpu} (ms, x) and {@code pool_map_spin} (ms, x, fraction) of
 * {@code shared/bench/python/README.md}, one workload as in {@code mp_baseline.py} (its lines carry both
 * workload names). {@code Pool(1)} and {@code Pool(2)} (default context) are both alive, warmed with
 * {@code map(square, range(10))}; each repetition runs, in this order: serial in the parent
 * ({@code cpuTask(200_000)} × 64 (8)), {@code Pool(1).map(cpuTask, tasks, 1)}, {@code Pool(2).map(...)},
 * {@code Pool(1).map(spinTask, [5] × 64 (8), 1)}, the same on {@code Pool(2)}; then, after those five and so
 * without changing their order, the same four maps on the {@link ThreadPoolTwin}s of 1 and 2 threads (the
 * {@code threads/} lines). 1 warm-up repetition, then 5; every speedup and efficiency is computed per
 * repetition and then its median taken. {@code per_task_serial} = serial time / tasks; spin efficiency =
 * ideal / measured with ideal = tasks × 5 ms / processes. Every cpu result is checked against
 * 2,666,646,666,700,000 after its timed region. The JIT makes {@code cpuTask} far cheaper than in CPython
 * (its tasks become tiny), so compare scaling with {@code pool_map_spin}. Run:
 * {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pool_map_cpu"}.
 */
public final class PoolMapCpu implements Workload {
    private static final String SPIN = "pool_map_spin";

    /** The times of one repetition, in seconds. */
    private record Rep(double serial, double cpu1, double cpu2, double spin1, double spin2,
                       double threadCpu1, double threadCpu2, double threadSpin1, double threadSpin2) {
    }

    @Override
    public String name() {
        return "pool_map_cpu";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Twins.comparedWithCPython("pool1", "pool2", "speedup_pool2_vs_pool1", "speedup_pool2_vs_serial",
                "efficiency_pool1", "efficiency_pool2");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int k = ctx.size(64, 8);
        int n = 200_000;
        int sk = ctx.size(64, 8);
        int ms = 5;
        List<Integer> tasks = Collections.nCopies(k, n);
        List<Integer> spins = Collections.nCopies(sk, ms);
        List<Rep> reps;
        try (Pool p1 = new Pool(1); Pool p2 = new Pool(2);
             ThreadPoolTwin t1 = ThreadPoolTwin.started(1); ThreadPoolTwin t2 = ThreadPoolTwin.started(2)) {
            p1.map(SQUARE, new IntRange(10));
            p2.map(SQUARE, new IntRange(10));
            t1.map(SQUARE, new IntRange(10), 1);
            t2.map(SQUARE, new IntRange(10), 1);
            reps = Repeat.measured(0, 0, rep -> {
                long t0 = System.nanoTime();
                List<Long> serial = new ArrayList<>(k);
                for (Integer x : tasks) {
                    serial.add(cpuTask(x));
                }
                double ts = seconds(t0);
                checkAll(serial, k);
                t0 = System.nanoTime();
                List<Long> res = p1.map(CPU_TASK, tasks, 1);
                double ta = seconds(t0);
                checkAll(res, k);
                t0 = System.nanoTime();
                res = p2.map(CPU_TASK, tasks, 1);
                double tb = seconds(t0);
                checkAll(res, k);
                t0 = System.nanoTime();
                List<Integer> spun = p1.map(SPIN_TASK, spins, 1);
                double sa = seconds(t0);
                checkSpins(spun, sk, ms);
                t0 = System.nanoTime();
                spun = p2.map(SPIN_TASK, spins, 1);
                double sb = seconds(t0);
                checkSpins(spun, sk, ms);
                // the thread twins, after the five runs the README orders
                t0 = System.nanoTime();
                res = t1.map(CPU_TASK, tasks, 1);
                double tta = seconds(t0);
                checkAll(res, k);
                t0 = System.nanoTime();
                res = t2.map(CPU_TASK, tasks, 1);
                double ttb = seconds(t0);
                checkAll(res, k);
                t0 = System.nanoTime();
                spun = t1.map(SPIN_TASK, spins, 1);
                double tsa = seconds(t0);
                checkSpins(spun, sk, ms);
                t0 = System.nanoTime();
                spun = t2.map(SPIN_TASK, spins, 1);
                double tsb = seconds(t0);
                checkSpins(spun, sk, ms);
                return new Rep(ts, ta, tb, sa, sb, tta, ttb, tsa, tsb);
            });
        }
        Map<String, Object> params = Result.params("tasks", k, "n_per_task", n, "chunksize", 1);
        Map<String, Object> pp = Twins.params(params, false, Twins.inDefaultContext("org.multiprocessing4j.Pool(1) and Pool(2)"));
        Map<String, Object> tp = Twins.params(params, true, null);
        emit(ctx, name(), "serial_in_parent", reps, r -> r.serial() * 1e3, "ms", params);
        emit(ctx, name(), "pool1", reps, r -> r.cpu1() * 1e3, "ms", pp);
        emit(ctx, name(), "pool2", reps, r -> r.cpu2() * 1e3, "ms", pp);
        emit(ctx, name(), "speedup_pool2_vs_pool1", reps, r -> r.cpu1() / r.cpu2(), "x", pp);
        emit(ctx, name(), "speedup_pool2_vs_serial", reps, r -> r.serial() / r.cpu2(), "x", pp);
        emit(ctx, name(), "per_task_serial", reps, r -> r.serial() * 1e3 / k, "ms", params);
        emit(ctx, name(), Twins.PREFIX + "pool1", reps, r -> r.threadCpu1() * 1e3, "ms", tp);
        emit(ctx, name(), Twins.PREFIX + "pool2", reps, r -> r.threadCpu2() * 1e3, "ms", tp);
        emit(ctx, name(), Twins.PREFIX + "speedup_pool2_vs_pool1", reps, r -> r.threadCpu1() / r.threadCpu2(), "x", tp);
        emit(ctx, name(), Twins.PREFIX + "speedup_pool2_vs_serial", reps, r -> r.serial() / r.threadCpu2(), "x", tp);

        Map<String, Object> sparams = Result.params("tasks", sk, "spin_ms", ms, "chunksize", 1);
        Map<String, Object> sp = Twins.params(sparams, false, Twins.inDefaultContext("org.multiprocessing4j.Pool(1) and Pool(2)"));
        Map<String, Object> st = Twins.params(sparams, true, null);
        double ideal1 = sk * ms / 1e3;
        double ideal2 = sk * ms / 2e3;
        emit(ctx, SPIN, "pool1", reps, r -> r.spin1() * 1e3, "ms", sp);
        emit(ctx, SPIN, "pool2", reps, r -> r.spin2() * 1e3, "ms", sp);
        emit(ctx, SPIN, "speedup_pool2_vs_pool1", reps, r -> r.spin1() / r.spin2(), "x", sp);
        emit(ctx, SPIN, "efficiency_pool1", reps, r -> ideal1 / r.spin1(), "fraction", sp);
        emit(ctx, SPIN, "efficiency_pool2", reps, r -> ideal2 / r.spin2(), "fraction", sp);
        emit(ctx, SPIN, Twins.PREFIX + "pool1", reps, r -> r.threadSpin1() * 1e3, "ms", st);
        emit(ctx, SPIN, Twins.PREFIX + "pool2", reps, r -> r.threadSpin2() * 1e3, "ms", st);
        emit(ctx, SPIN, Twins.PREFIX + "speedup_pool2_vs_pool1", reps, r -> r.threadSpin1() / r.threadSpin2(), "x", st);
        emit(ctx, SPIN, Twins.PREFIX + "efficiency_pool1", reps, r -> ideal1 / r.threadSpin1(), "fraction", st);
        emit(ctx, SPIN, Twins.PREFIX + "efficiency_pool2", reps, r -> ideal2 / r.threadSpin2(), "fraction", st);
    }

    private static void emit(BenchContext ctx, String workload, String variant, List<Rep> reps, ToDoubleFunction<Rep> figure,
                             String unit, Map<String, Object> params) {
        ctx.emit(Result.of(workload, variant, Stats.of(reps.stream().mapToDouble(figure).toArray()), unit, params));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void checkAll(List<Long> results, int k) {
        if (results.size() != k) throw new IllegalStateException(results.size() + " cpu_task results for " + k + " tasks");
        for (Long r : results) {
            PoolTasks.check("cpu_task(200000)", CPU_TASK_200K, r);
        }
    }

    private static void checkSpins(List<Integer> results, int k, int ms) {
        if (results.size() != k || results.stream().anyMatch(r -> r != ms)) {
            throw new IllegalStateException("spin_task results " + results + " for " + k + " tasks of " + ms + " ms");
        }
    }
}
