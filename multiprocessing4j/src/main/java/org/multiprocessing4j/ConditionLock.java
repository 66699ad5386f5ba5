package org.multiprocessing4j;

/**
 * What a {@link Condition} needs of its lock: give it up for a wait and take it back after. Implemented by
 * {@link Lock} and {@link RLock} only.
 */
sealed interface ConditionLock extends java.util.concurrent.locks.Lock, java.io.Serializable, AutoCloseable permits Lock, RLock {
    void acquire() throws InterruptedException;

    boolean acquire(java.time.Duration timeout) throws InterruptedException;

    boolean tryAcquire();

    void release();

    @Override
    void close();

    /**
     * Releases the lock the caller holds, entirely (every hold of an RLock), and returns what
     * {@link #reacquireAfterWait} needs to restore it.
     *
     * @throws IllegalMonitorStateException if the caller does not hold it (for a Lock: nobody does)
     */
    int releaseForWait();

    /**
     * Takes the lock back, ignoring interrupts (the interrupt status is kept), and restores the holds.
     *
     * @throws OwnerDiedException if it was taken over from a dead holder; the caller holds it all the same
     */
    void reacquireAfterWait(int saved);

    /** True if the caller may wait or signal: for an RLock, it holds the lock; for a Lock, anybody does. */
    boolean isHeldForCondition();

    /** A name for messages. */
    String describe();
}
