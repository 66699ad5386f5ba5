package org.multiprocessing4j.internal.remote;

import java.io.Serializable;

/**
 * A remote lock behind a {@code Lock} or an {@code RLock}; a serializable handle (see
 * {@link RemoteObjects}). Thread-safe.
 */
public interface LockBackend extends Serializable {
    /**
     * Takes the lock (for an RLock: one more hold).
     *
     * @param nanos how long to wait at most: negative waits as long as it takes, 0 tries once
     * @param interruptible whether an interrupt ends the wait (otherwise the status is kept)
     * @return true if taken
     * @throws InterruptedException if interruptible and interrupted while waiting (nothing taken)
     */
    boolean acquire(long nanos, boolean interruptible) throws InterruptedException;

    /** {@return whether one try took the lock} An interrupt does not end it; the status is kept. */
    default boolean tryOnce() {
        try {
            return acquire(0, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /** Takes the lock, waiting as long as it takes; an interrupt does not end the wait (the status is kept). */
    default void acquireUninterruptibly() {
        try {
            acquire(-1, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /**
     * Gives the lock up: a Lock whoever holds it; an RLock one hold of the calling thread.
     *
     * @throws IllegalStateException for a Lock nobody holds
     * @throws IllegalMonitorStateException for an RLock the calling thread does not hold
     */
    void release();

    /** {@return whether some thread of some JVM holds the lock now (a snapshot)} */
    boolean isLocked();

    /** {@return how many holds the calling thread has (a Lock: 1 while this thread took it, else 0)} */
    int holdCount();
}
