package org.multiprocessing4j.bench.workloads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code pool_faults} (JVM-only; CPython's pool hangs in most of these cases, so it has no figure): how long
 * the faults of issue #4 take to reach the caller, in ms, median of 5 repetitions after 1 warm-up, each on
 * a {@code Pool(2)} of real worker JVMs. The unit tests prove what happens; this measures how soon.
 * <ul>
 * <li>{@code sigkill_to_WorkerDiedException}: a worker running a task is killed with SIGKILL; from the kill
 *     until the task's result fails;</li>
 * <li>{@code System_exit_submit_to_WorkerDiedException}: a task calls {@code System.exit(3)}; from its
 *     submission until its result fails (dispatch, the worker JVM's exit and its detection);</li>
 * <li>{@code out_of_heap_submit_to_WorkerDiedException}: on workers with {@code -Xmx48m}, a task keeps
 *     allocating until the heap runs out; from its submission until its result fails;</li>
 * <li>{@code task_timeout_overshoot}: with {@code taskTimeout} 200 ms, a task that sleeps; from its
 *     submission until {@link TaskTimeoutException}, minus the 200 ms;</li>
 * <li>{@code terminate_with_2_running_tasks}: {@link Pool#terminate()} while both workers run a task;
 *     how long the call takes (it returns once both workers are gone, checked after each).</li>
 * </ul>
 * Each pool is made and warmed before its timed regions; a killed worker's replacement is waited for
 * (untimed) before the next repetition. Run: {@code ./mvnw -q -Pbench -DskipTests package
 * -Dbench.args="--only pool_faults"}.
 */
public final class PoolFaults implements Workload {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long TIMEOUT_MS = 200;

    @Override
    public String name() {
        return "pool_faults";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        try (Pool pool = new Pool(2)) {
            pool.map(x -> x, List.of(1, 2, 3, 4), 1);
            emit(ctx, "sigkill_to_WorkerDiedException", Repeat.measured(1, 1, rep -> {
                awaitWorkers(pool);
                AsyncResult<Integer> doomed = pool.applyAsync(() -> sleepThen(1, 600_000));
                long victim = busyWorker(pool);
                long killedAt = System.nanoTime();
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                expect(doomed, WorkerDiedException.class);
                return (System.nanoTime() - killedAt) / 1e6;
            }), "from the SIGKILL of the worker running the task");
            emit(ctx, "System_exit_submit_to_WorkerDiedException", Repeat.measured(1, 1, rep -> {
                awaitWorkers(pool);
                long t0 = System.nanoTime();
                expect(pool.applyAsync(() -> {
                    System.exit(3);
                    return 0;
                }), WorkerDiedException.class);
                return (System.nanoTime() - t0) / 1e6;
            }), "from the submission of a task that calls System.exit(3)");
        }
        Context smallHeap = Context.builder().jvmOptions("-Xmx48m").build();
        try (Pool pool = Pool.builder().processes(2).context(smallHeap).build()) {
            pool.map(x -> x, List.of(1, 2, 3, 4), 1);
            emit(ctx, "out_of_heap_submit_to_WorkerDiedException", Repeat.measured(1, 1, rep -> {
                awaitWorkers(pool);
                long t0 = System.nanoTime();
                expect(pool.applyAsync(() -> {
                    List<long[]> hog = new ArrayList<>();
                    while (true) {
                        hog.add(new long[1 << 16]);
                    }
                }), WorkerDiedException.class);
                return (System.nanoTime() - t0) / 1e6;
            }), "from the submission of a task that allocates until a 48 MiB heap runs out");
        }
        try (Pool pool = Pool.builder().processes(2).taskTimeout(Duration.ofMillis(TIMEOUT_MS)).build()) {
            warm(pool, List.of(1, 2, 3, 4));
            emit(ctx, "task_timeout_overshoot", Repeat.measured(1, 1, rep -> {
                awaitWorkers(pool);
                long t0 = System.nanoTime();
                expect(pool.applyAsync(() -> sleepThen(1, 600_000)), TaskTimeoutException.class);
                return (System.nanoTime() - t0) / 1e6 - TIMEOUT_MS;
            }), "from the submission of a task that sleeps, minus the 200 ms task timeout");
        }
        emit(ctx, "terminate_with_2_running_tasks", Repeat.measured(1, 1, rep -> {
            Pool pool = new Pool(2);
            try {
                pool.map(x -> x, List.of(1, 2, 3, 4), 1);
                pool.applyAsync(() -> sleepThen(1, 600_000));
                pool.applyAsync(() -> sleepThen(2, 600_000));
                List<Long> pids = busyWorkers(pool, 2);
                long t0 = System.nanoTime();
                pool.terminate();
                double ms = (System.nanoTime() - t0) / 1e6;
                for (long pid : pids) {
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        throw new IllegalStateException("worker " + pid + " outlived terminate()");
                    }
                }
                return ms;
            } finally {
                pool.close();
            }
        }), "how long terminate() takes while both workers run a task; both are gone when it returns");
    }

    private void emit(BenchContext ctx, String variant, List<Double> millis, String what) {
        ctx.emit(Result.of(name(), variant, Stats.of(millis), "ms", Result.params("processes", 2, "measured", what)));
    }

    /** Waits (untimed) for the outcome and checks it is the failure expected. */
    private static void expect(AsyncResult<?> result, Class<? extends Exception> type) throws Exception {
        try {
            result.get(LIMIT);
        } catch (ExecutionException e) {
            if (type.isInstance(e.getCause())) {
                return;
            }
            throw new IllegalStateException("expected " + type.getSimpleName() + ", got " + e.getCause(), e);
        }
        throw new IllegalStateException("expected " + type.getSimpleName() + ", the task succeeded");
    }

    static int sleepThen(int value, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return value;
    }

    private static long busyWorker(Pool pool) throws InterruptedException {
        return busyWorkers(pool, 1).getFirst();
    }

    /** Waits until {@code n} workers hold tasks; returns their pids. */
    private static List<Long> busyWorkers(Pool pool, int n) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Long> busy = pool.stats().workers().stream().filter(PoolStats.WorkerStats::busy)
                    .map(PoolStats.WorkerStats::pid).toList();
            if (busy.size() >= n) {
                return busy;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("workers never got busy: " + pool.stats());
    }

    /** Waits (untimed) until the pool has its two live workers again, after a replacement. */
    private static void awaitWorkers(Pool pool) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (pool.stats().workers().stream().filter(w -> w.pid() > 0).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        warm(pool, List.of(1, 2)); // NOTE: both workers answer: the replacement has booted
    }

    /**
     * Maps {@code x -> x} over {@code items} (chunks of 1) until every task answers: with the 200 ms task
     * timeout, a cold worker's first task may outlive it on a busy machine (the task's lambda is loaded and
     * linked in a JVM that has run nothing yet), which kills that worker; its replacement gets the next try.
     */
    private static void warm(Pool pool, List<Integer> items) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            try {
                pool.map(x -> x, items, 1);
                return;
            } catch (TaskTimeoutException slowColdWorker) {
                if (System.nanoTime() - deadline >= 0) {
                    throw slowColdWorker;
                }
            }
        }
    }
}
