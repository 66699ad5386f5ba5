package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.multiprocessing4j.internal.futex.Futex;

/**
 * A mutual-exclusion lock across processes on {@value #BYTES} bytes of a shared mapping that survives its
 * owner's death: a waiter finds a dead owner and takes the lock over, and is told so
 * ({@link Acquired#RECOVERED}) to repair what the owner left half done. Generalizes
 * {@code internal.queue.RobustMutex}: release by any process, uninterruptible waits, and the test
 * weakenings of {@link SyncWeakening}.
 *
 * <pre>
 *  +0 owner (long): an {@link OwnerWord}, 0 when free; its pid half is the futex word
 *  +8 waiters (int): threads registered to sleep on the futex
 * +12 reserved (int)
 * </pre>
 * Zero bytes are a free lock, so a region needs no initialization.
 *
 * <p>The owner is a process, not a thread: callers that need thread ownership (RLock) keep it beside.
 * Waits are timed slices; a blocked waiter uses no CPU between slices. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Acquire: CAS owner 0 → SELF (full CAS; acquire semantics for what the previous owner wrote). Release:
 * getAndSet(owner, 0) (a full barrier: the release store cannot pass the read of the waiter count that
 * follows), then FUTEX_WAKE(1) on the pid half only if the waiter count is non-zero.
 *
 * Waiter: registers (waiters += 1, atomic), reads the owner o, retries the CAS if o == 0, else
 * FUTEX_WAIT(pid half, pid of o, slice). A release after the read changes the word, so the kernel
 * returns EAGAIN instead of sleeping; a release before the registration is seen by the read. A release
 * between the registration and the read finds waiters != 0 and wakes one. ABA on the word (released
 * and retaken by the same process before the waiter sleeps) is harmless: the lock is then held, and its
 * next release sees the registration and wakes one. A woken waiter that loses the CAS to a newcomer does
 * not strand the others: the newcomer wakes one on its own release. A sleeper killed inside a slice leaves
 * the waiter count one too high: only a needless wake per release.
 *
 * Owner death: before each slice (and once in a non-blocking attempt) the waiter asks OwnerWord.isDead
 * of the word it read. If dead it CASes that exact word to SELF: of several recoverers, and of a
 * recoverer racing a newcomer (who only ever CASes from 0), exactly one wins. The dead owner's stores are
 * all visible to the recoverer: the kernel tears a process down before its pidfd polls readable.
 */
public final class RobustLock {
    /** Bytes of shared memory the lock takes; the offset must be 8-byte aligned. */
    public static final long BYTES = 16;
    private static final long OWNER = 0;
    /** The pid half of the owner word, where the futex sleeps. */
    private static final long OWNER_PID = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;
    private static final long WAITERS = 8;
    private static final long SELF = OwnerWord.SELF;

    /** How a lock attempt ended. */
    public enum Acquired {
        /** Taken from a free lock. */
        ACQUIRED,
        /** Taken over from a dead owner, who may have left its critical section half done. */
        RECOVERED,
        /** Not taken before the deadline. */
        TIMED_OUT;

        public boolean held() {
            return this != TIMED_OUT;
        }
    }

    private final MemorySegment segment;
    private final long owner;
    private final long ownerPid;
    private final long waiters;
    /** The dead owner's word that the last RECOVERED result took over (for messages). */
    private volatile long lastDeadOwner;

    public RobustLock(MemorySegment segment, long offset) {
        if (offset < 0 || offset > segment.byteSize() - BYTES || ((segment.address() + offset) & 7) != 0) {
            throw new IllegalArgumentException("a lock needs " + BYTES + " bytes at an 8-byte aligned offset inside the segment: offset "
                    + offset + " of " + segment);
        }
        this.segment = segment;
        this.owner = offset + OWNER;
        this.ownerPid = offset + OWNER_PID;
        this.waiters = offset + WAITERS;
    }

    /**
     * The uncontended path: one CAS from free, nothing else (no clock read, no liveness question).
     *
     * @return true if this call took the lock; false means "call {@link #lock} or {@link #tryLock}"
     */
    public boolean tryLockFree() {
        return LONG.compareAndSet(segment, owner, 0L, SELF);
    }

    /** One attempt, never blocking; takes the lock over from a dead owner. */
    public Acquired tryLock() {
        long seen = (long) LONG.getVolatile(segment, owner);
        if (seen == 0 && LONG.compareAndSet(segment, owner, 0L, SELF)) {
            return Acquired.ACQUIRED;
        }
        if (seen != 0 && takeOverIfDead(seen)) {
            return Acquired.RECOVERED;
        }
        return Acquired.TIMED_OUT;
    }

    /**
     * Takes the lock, waiting until {@code deadline} (a {@code System.nanoTime()} value; a past one means
     * "try once", which still takes over from a dead owner).
     *
     * @param interruptible whether an interrupt ends the wait; if not, the interrupt status is kept and
     *        restored on return
     * @throws InterruptedException if interruptible and interrupted on entry or before a sleep slice;
     *         nothing stays registered
     */
    public Acquired lock(long deadline, boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException(); // NOTE: checked before the lock is taken, as ReentrantLock does
        }
        long seen = (long) LONG.getVolatile(segment, owner);
        if (seen == 0 && LONG.compareAndSet(segment, owner, 0L, SELF)) {
            return Acquired.ACQUIRED; // the uncontended path
        }
        return lockSlowly(deadline, interruptible);
    }

    private Acquired lockSlowly(long deadline, boolean interruptible) throws InterruptedException {
        long spinEnd = System.nanoTime() + Waits.SPIN_NANOS;
        long seen;
        while ((seen = (long) LONG.getVolatile(segment, owner)) != 0 || !LONG.compareAndSet(segment, owner, 0L, SELF)) {
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
        boolean interrupted = false;
        try {
            long slice = Waits.FIRST_SLICE_NANOS;
            for (;;) {
                if ((seen = (long) LONG.getVolatile(segment, owner)) == 0 && LONG.compareAndSet(segment, owner, 0L, SELF)) {
                    return Acquired.ACQUIRED;
                }
                if (seen != 0 && takeOverIfDead(seen)) {
                    return Acquired.RECOVERED;
                }
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Acquired.TIMED_OUT;
                }
                // NOTE: register before reading the owner; pairs with the full barrier of unlock's getAndSet.
                int ignored = (int) INT.getAndAdd(segment, waiters, 1);
                try {
                    int pid = (int) INT.getVolatile(segment, ownerPid);
                    if (pid != 0) {
                        Futex.await(segment, ownerPid, pid, Math.min(remaining, slice));
                    }
                } finally {
                    ignored = (int) INT.getAndAdd(segment, waiters, -1);
                }
                slice = Waits.nextSlice(slice);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Releases the lock, whoever holds it; the caller knows it is held (by its process, or by design). */
    public void unlock() {
        if (SyncWeakening.LOCK_WAKE_CHECK_FIRST) {
            boolean waiting = (int) INT.getVolatile(segment, waiters) != 0; // weakened: read before the release
            LONG.setVolatile(segment, owner, 0L);
            if (waiting) {
                Futex.wake(segment, ownerPid, 1);
            }
            return;
        }
        // NOTE: a full barrier (xchg): what the critical section wrote is visible to the next owner's CAS,
        // and the store is globally visible before the waiter count is read (Dekker with the waiter).
        long ignored = (long) LONG.getAndSet(segment, owner, 0L);
        wakeOneIfWaiting();
    }

    /**
     * Releases the lock if anyone holds it (a plain {@code Lock} may be released by any process).
     *
     * @return false if it was free (nothing changed)
     */
    public boolean releaseIfHeld() {
        if (SyncWeakening.LOCK_WAKE_CHECK_FIRST) {
            if (!isLocked()) {
                return false;
            }
            unlock();
            return true;
        }
        // NOTE: one exchange: storing 0 over 0 changes nothing, so a free lock needs no CAS loop to detect
        long previous = (long) LONG.getAndSet(segment, owner, 0L);
        if (previous == 0) {
            return false;
        }
        wakeOneIfWaiting();
        return true;
    }

    private void wakeOneIfWaiting() {
        if ((int) INT.getVolatile(segment, waiters) != 0) {
            Futex.wake(segment, ownerPid, 1);
        }
    }

    /** True if some process holds the lock (a snapshot). */
    public boolean isLocked() {
        return (long) LONG.getVolatile(segment, owner) != 0;
    }

    /** True if this process holds the lock (a snapshot, exact for the holder itself). */
    public boolean isHeldByThisProcess() {
        return (long) LONG.getVolatile(segment, owner) == SELF;
    }

    /** The owner's pid, 0 when free (a snapshot, for tests and messages). */
    public int ownerPid() {
        return OwnerWord.pid((long) LONG.getVolatile(segment, owner));
    }

    /** The pid of the dead owner the last {@link Acquired#RECOVERED} took over from, in this object. */
    public int lastDeadOwnerPid() {
        return OwnerWord.pid(lastDeadOwner);
    }

    private boolean takeOverIfDead(long word) {
        if (word == SELF || !OwnerWord.isDead(word)) {
            return false;
        }
        if (SyncWeakening.LOCK_PLAIN_TAKEOVER) {
            LONG.setVolatile(segment, owner, SELF); // weakened: may overwrite a recoverer or a newcomer
            lastDeadOwner = word;
            return true;
        }
        if (LONG.compareAndSet(segment, owner, word, SELF)) {
            lastDeadOwner = word;
            return true;
        }
        return false;
    }
}
