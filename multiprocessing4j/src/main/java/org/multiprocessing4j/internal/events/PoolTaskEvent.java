package org.multiprocessing4j.internal.events;

import java.util.concurrent.CancellationException;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;

/**
 * One pool task (one {@code apply}/{@code submit}, or one chunk of a map call), recorded by the parent: it
 * begins when the pool hands the task to a worker and ends when its outcome is known (the answer arrived,
 * the worker died, the task timed out, was cancelled, or the pool broke). The worker fields name the last
 * worker it was handed to (an unstarted task may be taken back by an idle worker).
 *
 * <p>Outcomes: {@code completed}, {@code failed} (the task raised), {@code workerDied}, {@code timedOut},
 * {@code cancelled}, {@code brokenPool}.
 *
 * <p>Cost: with no recording, {@link #handedOut} returns null without allocating, and every other
 * method returns at once for a null event.
 */
@Name("multiprocessing4j.PoolTask")
@Label("Pool Task")
@Category({"multiprocessing4j", "Pool"})
@Description("A task of a Pool or ProcessPoolExecutor, from its hand-out to a worker until its outcome was known")
@StackTrace(false)
public final class PoolTaskEvent extends Event {
    private static final PoolTaskEvent PROBE = new PoolTaskEvent();

    @Label("Pool")
    String pool;

    @Label("Task ID")
    long taskId;

    @Label("Worker")
    String worker;

    @Label("Worker PID")
    long workerPid;

    @Label("Outcome")
    @Description("completed, failed, workerDied, timedOut, cancelled or brokenPool")
    String outcome;

    @Label("Error")
    @Description("The class of the exception the task ended with, if any")
    String error;

    /**
     * The event of a task handed to a worker: {@code event} itself if the task was handed out before (it
     * keeps its start time; the worker is updated), a new begun event if a recording takes these events,
     * otherwise null.
     */
    public static PoolTaskEvent handedOut(PoolTaskEvent event, String pool, long taskId, String worker, long workerPid) {
        PoolTaskEvent e = event;
        if (e == null) {
            if (!PROBE.isEnabled()) {
                return null;
            }
            e = new PoolTaskEvent();
            e.pool = pool;
            e.taskId = taskId;
            e.begin();
        }
        e.worker = worker;
        e.workerPid = workerPid;
        return e;
    }

    /** Ends and commits {@code event} (null: nothing happens) with the outcome of {@code error} (null: completed). */
    public static void settled(PoolTaskEvent event, Throwable error) {
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.outcome = outcome(error);
            event.error = error == null ? null : error.getClass().getName();
            event.commit();
        }
    }

    /** Ends and commits {@code event} (null: nothing happens) as cancelled. */
    public static void cancelled(PoolTaskEvent event) {
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.outcome = "cancelled";
            event.commit();
        }
    }

    private static String outcome(Throwable error) {
        if (error == null) {
            return "completed";
        } else if (error instanceof WorkerDiedException) { // NOTE: before its superclass BrokenProcessPoolException
            return "workerDied";
        } else if (error instanceof TaskTimeoutException) {
            return "timedOut";
        } else if (error instanceof CancellationException) {
            return "cancelled";
        } else if (error instanceof BrokenProcessPoolException) {
            return "brokenPool";
        }
        return "failed";
    }
}
