package org.multiprocessing4j.internal.pool;

import org.multiprocessing4j.SerializableRunnable;

/** Starts pool workers (DESIGN.md §6): child JVMs locally, cluster members elsewhere. Thread-safe. */
public interface WorkerLauncher {
    /**
     * Starts one worker that runs {@code initializer} (may be null) and then tasks, ending by itself after
     * {@code maxTasks} tasks when that is positive, with a {@link TaskSlots} table of {@code slots} slots (the
     * most tasks it may hold at once). Blocks until the worker can take messages.
     *
     * @throws RuntimeException if it cannot be started; the pool is then broken
     */
    WorkerLink launch(String name, SerializableRunnable initializer, int maxTasks, int slots);

    /**
     * The most tasks the pool may hand one worker at once (the rest wait in the pool): a transport whose
     * workers cannot give back a task sent ahead (no shared {@link TaskSlots}) says 1.
     */
    default int maxTasksPerWorker() {
        return Integer.MAX_VALUE;
    }

    /**
     * The most message bytes the pool may have sent one worker ahead, counting the task it runs: a task
     * that would go past it waits in the pool until the worker holds nothing. A transport sets it so that
     * sending never waits for room in the worker's channel behind a running task (the sending thread is a
     * caller or a relay, which must not block there). Default 512 KiB.
     */
    default long bytesAheadPerWorker() {
        return 512 << 10;
    }
}
