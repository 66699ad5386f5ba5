package org.multiprocessing4j;

import java.io.Serializable;
import java.time.Duration;
import org.multiprocessing4j.internal.futex.Futex;

/**
 * The locks a {@link Condition} can be bound to: {@link Lock} and {@link RLock}, with the Python-style
 * methods the condition forwards. What a wait needs beyond these (give the lock up entirely, take it back)
 * are package-private methods of each class, reached through the static helpers here, so they stay out of
 * the public API.
 */
sealed interface ConditionLock extends java.util.concurrent.locks.Lock, Serializable, AutoCloseable permits Lock, RLock {
    void acquire() throws InterruptedException;

    boolean acquire(Duration timeout) throws InterruptedException;

    boolean tryAcquire();

    void release();

    @Override
    void close();

    /**
     * Releases {@code lock}, which the caller holds, entirely (every hold of an RLock), and returns what
     * {@link #reacquireAfterWait} needs to restore it.
     *
     * @throws IllegalMonitorStateException if the caller does not hold it (for a Lock: nobody does; a
     *         condition checks {@link #isHeldForCondition} first)
     */
    static int releaseForWait(ConditionLock lock) {
        return switch (lock) {
            case Lock l -> l.releaseForWait();
            case RLock r -> r.releaseForWait();
        };
    }

    /**
     * Takes {@code lock} back, ignoring interrupts (the interrupt status is kept), and restores the holds.
     *
     * A manager's lock is taken back even once its manager is gone: the wait ends when its holder, a live
     * thread, releases it (or dies), not with {@link ManagerUnavailableException}.
     *
     * @throws OwnerDiedException if it was taken over from a dead holder; the caller holds it all the same
     */
    static void reacquireAfterWait(ConditionLock lock, int saved) {
        // NOTE: a condition's wait promises the lock back whatever its outcome, the manager's death included; the
        // manager's watch would end this wait on a lock another thread holds, and leave the caller without it
        Object ignored = Futex.ignoringOwner(() -> {
            switch (lock) {
                case Lock l -> l.reacquireAfterWait();
                case RLock r -> r.reacquireAfterWait(saved);
            }
            return null;
        });
    }

    /**
     * True if the caller may wait or signal: for an RLock, it holds the lock; for a Lock, it is held and
     * the current thread acquired it (per process, Python's {@code _is_mine}: see {@link Lock#acquiredByCurrentThread}).
     */
    static boolean isHeldForCondition(ConditionLock lock) {
        return switch (lock) {
            case Lock l -> l.acquiredByCurrentThread();
            case RLock r -> r.isHeldByCurrentThread();
        };
    }

    /** True if {@code lock} is a cluster's, which a condition cannot wait with. */
    static boolean isRemote(ConditionLock lock) {
        return switch (lock) {
            case Lock l -> l.isRemote();
            case RLock r -> r.isRemote();
        };
    }
}
