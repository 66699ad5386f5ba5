package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A mutual-exclusion lock across processes on two {@code int} words of a shared mapping, the owner's pid
 * (0 when free) and a waiter count, that survives its owner's death: a waiter finds a dead owner and takes
 * the lock over, and is told so ({@link Acquired#RECOVERED}) to repair what the owner left half done.
 *
 * <p>Not reentrant. The owner is a process, not a thread: {@link #unlock()} by any thread of the owning
 * process releases it, so callers pair {@code lock}/{@code unlock} in one thread with try/finally. Waits are
 * timed slices (interrupts and the caller's cancellation are checked before each); a blocked waiter uses
 * no CPU between slices. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Acquire: CAS owner 0 → my pid (acquire semantics: a full CAS). Release: a release store of 0, a full
 * fence, then FUTEX_WAKE(1) only if the waiter count is non-zero. A waiter registers (waiters += 1,
 * atomic), reads the owner o, retries the CAS if o == 0, else FUTEX_WAIT(owner, o, slice): a release after
 * the read changes the word, so the kernel returns EAGAIN instead of sleeping; a release before the
 * registration is seen by the CAS retry. A wake taken by a waiter that then loses the CAS to a newcomer is
 * not lost for the others: the newcomer wakes one on its own release, and every sleep is a bounded slice.
 *
 * Owner death. After each slice that timed out (and once in a non-blocking tryLock) the waiter asks a
 * pidfd whether the owner's pid still runs (ProcessWatch, ~0.5 µs plus an open); if not, it CASes the dead
 * pid to its own and returns RECOVERED; of several waiters exactly one wins that CAS. Only the pid is
 * recorded (it is what the CAS can swap atomically): a dead owner's pid reused by an unrelated live
 * process delays recovery until that process ends, but a live owner is never robbed, because a live
 * process's pid is never reused. Stores the dead owner made are visible to the recoverer: the kernel
 * tears a process down before its pidfd polls readable.
 */
final class RobustMutex {
    private static final long OWNER = 0;
    private static final long WAITERS = 4;
    private static final int SELF = (int) ProcessStamp.self().pid();

    /** How a lock attempt ended. */
    enum Acquired {
        /** Taken from a free lock. */
        ACQUIRED,
        /** Taken over from a dead owner, who may have left its critical section half done. */
        RECOVERED,
        /** Not taken before the deadline. */
        TIMED_OUT;

        boolean held() {
            return this != TIMED_OUT;
        }
    }

    private final MemorySegment file;
    private final long owner;
    private final long waiters;

    RobustMutex(MemorySegment file, long offset) {
        this.file = file;
        this.owner = offset + OWNER;
        this.waiters = offset + WAITERS;
    }

    /**
     * Takes the lock, waiting until {@code deadline} (a {@code System.nanoTime()} value; a past one means
     * "try once", which still takes over from a dead owner).
     *
     * @throws InterruptedException if interrupted before a sleep slice; nothing stays registered
     */
    Acquired lock(long deadline, FutexCondition.Cancellation cancellation) throws InterruptedException {
        long spinEnd = System.nanoTime() + FutexCondition.SPIN_NANOS;
        int seen;
        while ((seen = (int) INT.getVolatile(file, owner)) != 0 || !INT.compareAndSet(file, owner, 0, SELF)) {
            if (seen == 0) {
                continue; // lost a race for a free lock: look again
            }
            long now = System.nanoTime();
            if (now - spinEnd >= 0 || now - deadline >= 0) {
                break;
            }
            Thread.onSpinWait();
        }
        if (seen == 0) {
            return Acquired.ACQUIRED;
        }
        long slice = FutexCondition.FIRST_SLICE_NANOS;
        for (;;) {
            if ((seen = (int) INT.getVolatile(file, owner)) == 0 && INT.compareAndSet(file, owner, 0, SELF)) {
                return Acquired.ACQUIRED;
            }
            if (seen != 0 && seen != SELF && takeOverIfDead(seen)) {
                return Acquired.RECOVERED;
            }
            cancellation.check();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Acquired.TIMED_OUT;
            }
            // NOTE: register before reading the owner; pairs with unlock's fence.
            int ignored = (int) INT.getAndAdd(file, waiters, 1);
            try {
                seen = (int) INT.getVolatile(file, owner);
                if (seen != 0) {
                    Futex.await(file, owner, seen, Math.min(remaining, slice));
                }
            } finally {
                ignored = (int) INT.getAndAdd(file, waiters, -1);
            }
            slice = Math.min(FutexCondition.MAX_SLICE_NANOS, slice << 1);
        }
    }

    /** Releases the lock held by this process. */
    void unlock() {
        // NOTE: release: everything written in the critical section is visible to the next owner's CAS.
        INT.setRelease(file, owner, 0);
        VarHandle.fullFence();
        if ((int) INT.getVolatile(file, waiters) != 0) {
            Futex.wake(file, owner, 1);
        }
    }

    /** The owner's pid, 0 when free (a snapshot, for tests and messages). */
    int owner() {
        return (int) INT.getVolatile(file, owner);
    }

    /** Wakes every waiter so it re-checks its cancellation (this process closes the queue). */
    void wakeAll() {
        Futex.wake(file, owner, Integer.MAX_VALUE);
    }

    private boolean takeOverIfDead(int pid) {
        boolean alive;
        try (ProcessWatch watch = ProcessWatch.open(new ProcessStamp(pid, 0))) {
            alive = watch.isAlive();
        }
        return !alive && INT.compareAndSet(file, owner, pid, SELF);
    }
}
