package org.multiprocessing4j;

/**
 * Thrown by an acquire of a {@link Lock} or {@link RLock} (its Python-style {@code acquire} and
 * {@code tryAcquire}, and a {@link Condition} wait taking its lock back) that found the holder's process
 * dead (killed, SIGKILL included) and took the lock over: <b>the caller now holds it</b>, exactly as after a normal acquire (pthread's {@code EOWNERDEAD}).
 * The dead process may have left the data the lock guards half updated: repair it, then release as
 * usual. (A {@link Semaphore} guards no data of its own: it gives the permits of a process killed while
 * holding them back without throwing, and counts them in {@link Semaphore#recoveredPermits()}.) Unchecked; the message names the
 * lock and the dead pid.
 */
public class OwnerDiedException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /** The pid of the process that died holding the lock. */
    private final long deadPid;

    /**
     * A lock or primitive whose owner died.
     *
     * @param message what was found, naming the resource
     * @param deadPid the pid of the process that died holding it
     */
    public OwnerDiedException(String message, long deadPid) {
        super(message);
        this.deadPid = deadPid;
    }

    /** {@return the pid of the process that died holding the lock} */
    public long deadPid() {
        return deadPid;
    }
}
