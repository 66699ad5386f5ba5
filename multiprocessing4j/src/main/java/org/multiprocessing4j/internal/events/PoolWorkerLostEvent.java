package org.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A pool worker ended other than by the pool's own orderly close: it died (crash, {@code System.exit},
 * kill, a task timeout, a failed boot) or retired under {@code maxTasksPerChild}; and whether a
 * replacement was started. Recorded by the parent once the worker's exit code is known.
 */
@Name("multiprocessing4j.PoolWorkerLost")
@Label("Pool Worker Lost")
@Category({"multiprocessing4j", "Pool"})
@Description("A pool worker died or retired; replaced tells whether a new worker was started for it")
@StackTrace(false)
public final class PoolWorkerLostEvent extends Event {
    private static final PoolWorkerLostEvent PROBE = new PoolWorkerLostEvent();

    @Label("Pool")
    String pool;

    @Label("Worker")
    String worker;

    @Label("Worker PID")
    long workerPid;

    @Label("Exit Code")
    @Description("-N: killed by signal N (a task timeout kills with SIGKILL: -9)")
    int exitCode;

    @Label("Retired")
    @Description("True if it ended by itself under maxTasksPerChild rather than died")
    boolean retired;

    @Label("Tasks Failed")
    @Description("Tasks it had started, which fail with WorkerDiedException")
    int tasksFailed;

    @Label("Replaced")
    boolean replaced;

    /** Commits one event if a recording takes it. */
    public static void emit(String pool, String worker, long workerPid, int exitCode, boolean retired, int tasksFailed,
                            boolean replaced) {
        if (!PROBE.isEnabled()) {
            return;
        }
        PoolWorkerLostEvent e = new PoolWorkerLostEvent();
        if (e.shouldCommit()) {
            e.pool = pool;
            e.worker = worker;
            e.workerPid = workerPid;
            e.exitCode = exitCode;
            e.retired = retired;
            e.tasksFailed = tasksFailed;
            e.replaced = replaced;
            e.commit();
        }
    }
}
