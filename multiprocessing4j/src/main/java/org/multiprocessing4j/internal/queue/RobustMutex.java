package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.INT;
import static org.multiprocessing4j.internal.queue.QueueLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.futex.SpinPause;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A mutual-exclusion lock across processes on a shared mapping, an owner word (0 when free) and a waiter
 * count, that survives its owner's death: a waiter finds a dead owner and takes the lock over, and is
 * told so ({@link Acquired#RECOVERED}) to repair what the owner left half done.
 *
 * <pre>
 *  +0 owner (long): pid in the low 32 bits (the futex word), start-time token in the high 32 bits
 *  +8 waiters (int)
 * </pre>
 *
 * <p>Not reentrant. The owner is a process, not a thread: {@link #unlock()} by any thread of the owning
 * process releases it, so callers pair {@code lock}/{@code unlock} in one thread with try/finally. Waits are
 * timed slices (interrupts and the caller's cancellation are checked before each); a blocked waiter uses
 * no CPU between slices. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Owner. One long CASed whole: the pid (low half, so the futex can sleep on it) and a token of the
 * process's start time (the low 32 bits of its start in epoch milliseconds, as ProcessStamp computes it;
 * 0 when unknown). The pair tells a live owner from a process that reuses a dead owner's pid, the waiter
 * itself included, and is written in the same CAS that takes the lock, so it is never torn or stale.
 *
 * Acquire: CAS owner 0 → mine (a full CAS). Release: a release store of 0, a full fence, then
 * FUTEX_WAKE(1) only if the waiter count is non-zero. A waiter registers (waiters += 1, atomic), reads the
 * owner o, retries the CAS if o == 0, else FUTEX_WAIT(pid half, pid of o, slice): a release after the read
 * changes the word, so the kernel returns EAGAIN instead of sleeping; a release before the registration is
 * seen by the CAS retry. A wake taken by a waiter that then loses the CAS to a newcomer is not lost for the
 * others: the newcomer wakes one on its own release, and every sleep is a bounded slice.
 *
 * Owner death. Before each slice (and once in a non-blocking attempt) the waiter asks whether the owner
 * still runs: a pidfd opened on its pid polls not-readable (ProcessWatch), and the process now holding
 * that pid has the recorded start token. If not, it CASes the dead owner's word to its own and returns
 * RECOVERED; of several waiters exactly one wins that CAS. The pidfd is opened before the start time is
 * read, so a pid reused between the two is not mistaken for the owner. The dead owner's stores are all
 * visible to the recoverer: the kernel tears a process down before its pidfd polls readable.
 */
final class RobustMutex {
    private static final long OWNER = 0;
    /** The pid half of the owner word, where the futex sleeps. */
    private static final long OWNER_PID = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;
    private static final long WAITERS = 8;
    private static final long SELF = word(ProcessStamp.self().pid(), ProcessStamp.self().startMillis());

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
    private final long ownerPid;
    private final long waiters;

    RobustMutex(MemorySegment file, long offset) {
        this.file = file;
        this.owner = offset + OWNER;
        this.ownerPid = offset + OWNER_PID;
        this.waiters = offset + WAITERS;
    }

    /**
     * Takes the lock, waiting until {@code deadline} (a {@code System.nanoTime()} value; a past one means
     * "try once", which still takes over from a dead owner).
     *
     * @throws InterruptedException if interrupted before a sleep slice; nothing stays registered
     */
    Acquired lock(long deadline, FutexCondition.Cancellation cancellation) throws InterruptedException {
        if (tryLock()) {
            return Acquired.ACQUIRED;
        }
        long spinEnd = System.nanoTime() + FutexCondition.SPIN_NANOS;
        long seen;
        for (int look = 0; (seen = (long) LONG.getVolatile(file, owner)) != 0 || !LONG.compareAndSet(file, owner, 0L, SELF); look++) {
            if (seen == 0) {
                continue; // lost a race for a free lock: look again
            }
            long now = System.nanoTime();
            if (now - spinEnd >= 0 || now - deadline >= 0) {
                break;
            }
            SpinPause.pause(look);
        }
        if (seen == 0) {
            return Acquired.ACQUIRED;
        }
        long slice = FutexCondition.FIRST_SLICE_NANOS;
        for (;;) {
            if ((seen = (long) LONG.getVolatile(file, owner)) == 0 && LONG.compareAndSet(file, owner, 0L, SELF)) {
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
                int pid = (int) INT.getVolatile(file, ownerPid);
                if (pid != 0) {
                    Futex.await(file, ownerPid, pid, Math.min(remaining,
                            QueueWeakening.NO_SAFETY_NET ? QueueWeakening.LONG_SLICE_NANOS : slice));
                }
            } finally {
                ignored = (int) INT.getAndAdd(file, waiters, -1);
            }
            slice = Math.min(FutexCondition.MAX_SLICE_NANOS, slice << 1);
        }
    }

    /**
     * Takes the lock if it is free now: one CAS, no clock read, no take-over of a dead owner (the caller
     * falls back to {@link #lock} for that).
     */
    boolean tryLock() {
        return LONG.compareAndSet(file, owner, 0L, SELF);
    }

    /** Releases the lock held by this process. */
    void unlock() {
        // NOTE: release: everything written in the critical section is visible to the next owner's CAS.
        LONG.setRelease(file, owner, 0L);
        VarHandle.fullFence();
        wakeWaiterIfAny();
    }

    /**
     * Releases the lock held by this process, then signals {@code condition}: the same as {@link #unlock()}
     * followed by {@link FutexCondition#signal()}, with one full fence for both. The critical section's
     * release stores (the state {@code condition} reports) and the release of the owner word all precede
     * the fence; the reads of this lock's waiter count and of the condition's waiting bit follow it.
     */
    void unlockAndSignal(FutexCondition condition) {
        LONG.setRelease(file, owner, 0L);
        // NOTE: store→load for both Dekker handshakes (lock waiters, condition sleepers) at once.
        VarHandle.fullFence();
        wakeWaiterIfAny();
        condition.signalAfterFence();
    }

    private void wakeWaiterIfAny() {
        if ((int) INT.getVolatile(file, waiters) != 0) {
            Futex.wake(file, ownerPid, 1);
        }
    }

    /** The owner's pid, 0 when free (a snapshot, for tests and messages). */
    int owner() {
        return pid((long) LONG.getVolatile(file, owner));
    }

    /** Wakes every waiter so it re-checks its cancellation (this process closes the queue). */
    void wakeAll() {
        Futex.wake(file, ownerPid, Integer.MAX_VALUE);
    }

    private boolean takeOverIfDead(long word) {
        int pid = pid(word);
        boolean alive;
        try (ProcessWatch watch = ProcessWatch.open(new ProcessStamp(pid, 0))) {
            // NOTE: the pidfd first, the start time after: a pid reused in between shows a different start.
            alive = watch.isAlive() && (token(word) == 0 || ProcessHandle.of(pid)
                    .map(h -> ProcessStamp.startMillis(h).map(start -> (int) (long) start == token(word)).orElse(true))
                    .orElse(false));
        }
        return !alive && LONG.compareAndSet(file, owner, word, SELF);
    }

    private static long word(long pid, long startMillis) {
        return ((long) (int) startMillis << 32) | (pid & 0xFFFF_FFFFL);
    }

    private static int pid(long word) {
        return (int) word;
    }

    private static int token(long word) {
        return (int) (word >>> 32);
    }
}
