package org.multiprocessing4j.internal.shm;

import java.util.Optional;

/**
 * A process as recorded in shared memory: its pid and its start time, the pair that tells a live owner from
 * an unrelated process that reuses the pid. The start time is in milliseconds since the machine booted, as
 * {@link ProcessStartTime} reads it (0 when unknown): every JVM on the machine computes the same value for
 * the same process, also across a step of the wall clock. Immutable.
 *
 * @param pid the process id, positive
 * @param startMillis the process start time in milliseconds since boot, or 0 when unknown
 */
public record ProcessStamp(long pid, long startMillis) {
    private static final ProcessStamp SELF = of(ProcessHandle.current());

    public ProcessStamp {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
    }

    /** This JVM's stamp, computed once. */
    public static ProcessStamp self() {
        return SELF;
    }

    /** The stamp of a running process; start time 0 when the system does not report it. */
    public static ProcessStamp of(ProcessHandle handle) {
        return new ProcessStamp(handle.pid(), startMillis(handle).orElse(0L));
    }

    /** The start time of {@code handle} in milliseconds since boot, if the system reports it. */
    public static Optional<Long> startMillis(ProcessHandle handle) {
        return ProcessStartTime.millisSinceBoot(handle.pid());
    }

    /**
     * True if {@code handle} is this process: same pid, and the same start time unless either is unknown.
     * Says nothing about whether it is still alive.
     */
    public boolean matches(ProcessHandle handle) {
        if (handle.pid() != pid) {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        return startMillis(handle).map(s -> s == startMillis).orElse(true);
    }

    @Override
    public String toString() {
        return "pid " + pid + " (started " + startMillis + ")";
    }
}
