package org.multiprocessing4j.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.TaskTimeoutException;

/**
 * Runaway tasks killed by a pool's task timeout ({@code Pool.builder().taskTimeout(...)}), while the pool
 * keeps serving: something neither a Java thread pool (a thread cannot be stopped) nor CPython's
 * {@code Pool} (no per-task timeout; {@code get(timeout)} gives up waiting but the task runs on) can do.
 *
 * <ol>
 *   <li>A task that spins forever is submitted among ordinary tasks. The ordinary ones finish on the
 *       other worker; when the spinning task passes the timeout its worker JVM is killed, the task fails
 *       with {@link TaskTimeoutException}, and a fresh worker takes the dead one's place.</li>
 *   <li>A task that blocks forever (a lost wake-up, a hung call) fails the same way, through
 *       {@link Pool#apply}, which throws the exception itself.</li>
 *   <li>The same pool then maps a function as if nothing had happened; its stats count the kills.</li>
 * </ol>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.RunawayTask [timeoutMillis]
 * </pre>
 *
 * <p>The timeout is counted from the moment the task is handed to an idle worker, so tasks waiting in the queue
 * do not use it up (its transfer and decoding do, and a fresh worker's first loading of the task's classes).
 * Set it well above the longest normal task: a task killed for being slow is not retried.
 */
public final class RunawayTask {
    private RunawayTask() {
    }

    /** What each step saw. */
    record Report(List<Integer> ordinaryResults, TaskTimeoutException spinning, TaskTimeoutException blocked,
                  List<Integer> afterwards, PoolStats stats) {
    }

    public static void main(String[] args) throws Exception {
        long timeoutMillis = args.length > 0 ? Long.parseLong(args[0]) : 2_000;
        run(System.out, Duration.ofMillis(timeoutMillis));
    }

    /** Runs the three steps with a pool of two workers and the given task timeout. */
    static Report run(PrintStream out, Duration timeout) throws InterruptedException, ExecutionException {
        Pool pool = Pool.builder().processes(2).taskTimeout(timeout).build();
        List<Integer> ordinaryResults = new ArrayList<>();
        TaskTimeoutException spun;
        TaskTimeoutException blocked;
        List<Integer> afterwards;
        try (pool) {
            out.printf("A pool of 2 worker JVMs with a task timeout of %d ms%n", timeout.toMillis());

            // 1. A spinning task among ordinary ones.
            AsyncResult<Integer> spinning = pool.applyAsync(RunawayTask::spinForever);
            List<AsyncResult<Integer>> ordinary = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                int x = i;
                ordinary.add(pool.applyAsync(() -> slowSquare(x)));
            }
            for (AsyncResult<Integer> r : ordinary) {
                ordinaryResults.add(r.get());
            }
            out.println("1. the ordinary tasks answered " + ordinaryResults + ", unaffected by the spinning one");
            try {
                spinning.get();
                throw new IllegalStateException("the spinning task cannot finish");
            } catch (ExecutionException e) {
                // AsyncResult.get wraps a task's failure, as Future.get does.
                spun = (TaskTimeoutException) e.getCause();
                out.println("   the spinning task failed: " + spun.getMessage());
            }

            // 2. A blocked task, through apply: the exception is thrown as itself.
            try {
                pool.apply(RunawayTask::blockForever);
                throw new IllegalStateException("the blocked task cannot finish");
            } catch (TaskTimeoutException e) {
                blocked = e;
                out.println("2. the blocked task failed: " + e.getMessage());
            }

            // 3. The pool goes on.
            afterwards = pool.map(x -> x * x, List.of(1, 2, 3, 4, 5));
            out.println("3. afterwards map(x -> x * x) gave " + afterwards);
        }
        // Read after close, which waits for every worker to be gone: the pool learns of a killed worker's
        // exit a moment after its task has failed, so a snapshot taken at once may not count it yet.
        PoolStats stats = pool.stats();
        out.printf("   the pool counted %d workers killed and started %d replacements (a worker killed while"
                + " the pool closes is not replaced)%n", stats.workerDeaths(), stats.workerRestarts());
        return new Report(ordinaryResults, spun, blocked, afterwards, stats);
    }

    /** A CPU-bound runaway: an endless loop (a bug, or an input that never converges). */
    static Integer spinForever() {
        long x = 0;
        while (true) {
            x += System.nanoTime() & 1;
        }
    }

    /**
     * A blocked runaway: waits for a wake-up that never comes. Nothing inside the worker could end it: an
     * interrupt would need the task's cooperation. Killing the process needs none.
     */
    static Integer blockForever() {
        while (true) {
            LockSupport.park();
        }
    }

    /**
     * An ordinary task: {@code x * x} after 100 ms of "work". A lambda that calls this captures only
     * {@code x}; {@code LockSupport.parkNanos} needs no try/catch, unlike {@code Thread.sleep}.
     */
    static int slowSquare(int x) {
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        return x * x;
    }
}
