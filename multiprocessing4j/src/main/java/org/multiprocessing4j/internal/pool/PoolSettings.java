package org.multiprocessing4j.internal.pool;

import java.time.Duration;

/** The checks of a pool's settings, shared by {@code Pool.Builder}, {@code ProcessPoolExecutor.Builder} and the engine. */
public final class PoolSettings {
    private PoolSettings() {
    }

    /** @throws IllegalArgumentException naming {@code what} unless {@code workers >= 1} */
    public static int checkWorkers(String what, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + workers);
        }
        return workers;
    }

    /** @throws IllegalArgumentException unless {@code maxTasksPerChild >= 0} (0: no limit) */
    public static int checkMaxTasksPerChild(int maxTasksPerChild) {
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild must be at least 1, or 0 for no limit; got " + maxTasksPerChild);
        }
        return maxTasksPerChild;
    }

    /** @throws IllegalArgumentException unless {@code taskTimeout} is null (none) or positive */
    public static Duration checkTaskTimeout(Duration taskTimeout) {
        if (taskTimeout != null && (taskTimeout.isZero() || taskTimeout.isNegative())) {
            throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
        }
        return taskTimeout;
    }
}
