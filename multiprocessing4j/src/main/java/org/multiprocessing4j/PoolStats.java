package org.multiprocessing4j;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of a {@link Pool}'s or {@link ProcessPoolExecutor}'s counters, for monitoring. A task is one
 * message to a worker: one {@code apply}, one {@code submit}, or one chunk of a map call.
 *
 * @param processes      the number of workers the pool keeps
 * @param tasksSubmitted tasks accepted so far
 * @param tasksCompleted tasks that returned a result
 * @param tasksFailed    tasks that ended with an exception of any kind (their own, a worker's death, a
 *                       timeout, a broken pool); cancelled ones are not counted
 * @param tasksPending   tasks no worker has started: queued in the pool, or sent ahead to a worker (which
 *                       an idle worker may still take over)
 * @param tasksRunning   tasks a worker has started and not yet answered
 * @param workerDeaths   workers that died holding a task or not (crash, exit, kill, timeout)
 * @param workerRestarts workers started to replace one that died or retired under {@code maxTasksPerChild}
 * @param workers        the live workers
 */
public record PoolStats(int processes, long tasksSubmitted, long tasksCompleted, long tasksFailed, int tasksPending,
                        int tasksRunning, long workerDeaths, long workerRestarts, List<WorkerStats> workers) {

    /**
     * One live worker.
     *
     * @param name           its process name
     * @param pid            its pid
     * @param tasksCompleted tasks it answered (results and exceptions)
     * @param busyTime       the time it held tasks (running or sent ahead), measured in the pool's process
     * @param busy           whether it is running a task now
     */
    public record WorkerStats(String name, long pid, long tasksCompleted, Duration busyTime, boolean busy) {
    }
}
