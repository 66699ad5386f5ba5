package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.Membarrier;
import org.multiprocessing4j.internal.futex.SpinPause;

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
 * +12 wake pending (int): 1 from a release's FUTEX_WAKE until a waiter returns from its sleep
 * </pre>
 * Zero bytes are a free lock, so a region needs no initialization.
 *
 * <p>The owner is a process, not a thread: callers that need thread ownership (RLock) keep it beside.
 * Waits are timed slices; a blocked waiter uses no CPU between slices. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Acquire: CAS owner 0 → SELF (full CAS; acquire semantics for what the previous owner wrote). Release: a
 * release store of 0, then a read of the waiter count, with no fence between them where this process is
 * registered for membarrier(2) (Membarrier.REGISTERED): a waiter issues a global membarrier between its
 * registration and its read of the owner, which orders the releaser's store→load pair for it (Dekker made
 * asymmetric: the one atomic instruction left on the uncontended path is the acquire's CAS). Elsewhere the
 * release is getAndSet(owner, 0), a full barrier. Then FUTEX_WAKE(1) on the pid half only if the waiter
 * count is non-zero and no wake is pending (CAS wake pending 0 → 1); a wake that found nobody asleep
 * clears the flag again. A waiter clears wake pending with a volatile store whenever it returns from a
 * sleep (woken, timed out or not), before it looks at the owner again: so while the flag is set, exactly
 * one woken thread is on its way to either take the lock or see it held and sleep again, and a release
 * after its clear wakes again. A waiter killed between being woken and clearing leaves the flag set:
 * releases stop waking until another waiter's slice ends and clears it (a slice of delay, no hang
 * while the safety net is on). Waiters spin (20 µs, yielding after the first few: SpinPause) after every
 * wake before sleeping again.
 *
 * Waiter: registers (waiters += 1, atomic), issues the membarrier, reads the owner o, retries the CAS if
 * o == 0, else FUTEX_WAIT(pid half, pid of o, slice). A release after the read changes the word, so the kernel
 * returns EAGAIN instead of sleeping; a release before the registration is seen by the read. A release
 * between the registration and the read finds waiters != 0 and wakes one. ABA on the word (released
 * and retaken by the same process before the waiter sleeps) is harmless: the lock is then held, and its
 * next release sees the registration and wakes one. A woken waiter that loses the CAS to a newcomer does
 * not strand the others: the newcomer wakes one on its own release. A sleeper killed inside a slice leaves
 * the waiter count one too high: only a needless wake per release.
 *
 * Owner death: on its first look, and after each slice that ended by timing out (a dead owner never
 * releases, so its waiters' slices time out; a woken waiter does not pay the question), the waiter asks
 * OwnerWord.isDead of the word it read. If dead it CASes that exact word to SELF: of several recoverers, and of a
 * recoverer racing a newcomer (who only ever CASes from 0), exactly one wins. The dead owner's stores are
 * all visible to the recoverer: the kernel tears a process down before its pidfd polls readable.
 *
 * Take-over window: from the winning CAS until the taker's own bookkeeping beside the word (the onTakeOver
 * hook: ReentrantRobustLock clears the dead holder's thread id there) the owner word already says "this
 * process" while that bookkeeping is still the dead process's. A thread of this process that judges
 * "held by me" from the word and the bookkeeping (thread ids repeat across JVMs) must not look inside that
 * window: TAKEOVERS counts the windows under way in this JVM (low 32 bits) and those ended (high 32 bits),
 * incremented before the CAS and ended after the hook, and a look (beginLook, validateLook) that overlapped one is retried
 * (a seqlock whose writers may be concurrent). Only take-overs pay for it; a look costs two volatile loads.
 */
public final class RobustLock {
    /** Bytes of shared memory the lock takes; the offset must be 8-byte aligned. */
    public static final long BYTES = 16;
    private static final long OWNER = 0;
    /** The pid half of the owner word, where the futex sleeps. */
    private static final long OWNER_PID = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;
    private static final long WAITERS = 8;
    private static final long WAKE_PENDING = 12;
    private static final long SELF = OwnerWord.SELF;
    /** Releases store without a fence: sleeping waiters' membarriers order them (see the notes). */
    private static final boolean FENCELESS_RELEASE = Membarrier.REGISTERED;
    /** A sleep's longest slice if the kernel refused a waiter's membarrier (never expected): bounds a missed release. */
    private static final long UNFENCED_SLICE_NANOS = 1_000_000;

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
    private final long wakePending;
    /** The dead owner's word that the last RECOVERED result took over (for messages). */
    private volatile long lastDeadOwner;
    /** Run by the taker right after a take-over's CAS, inside the take-over window (see the notes); may be null. */
    private final Runnable onTakeOver;
    /** Take-over windows of this JVM: under way in the low 32 bits, ended in the high 32 bits (see the notes). */
    private static final AtomicLong TAKEOVERS = new AtomicLong();
    private static final long UNDER_WAY = 0xFFFF_FFFFL;
    /** Added when a window ends: one more ended, one fewer under way. */
    private static final long ENDED = (1L << 32) - 1;

    public RobustLock(MemorySegment segment, long offset) {
        this(segment, offset, null);
    }

    /**
     * A lock whose take-overs from a dead owner run {@code onTakeOver} right after taking the word, before
     * any validated look of this JVM can see the word taken (see the notes).
     */
    public RobustLock(MemorySegment segment, long offset, Runnable onTakeOver) {
        if (offset < 0 || offset > segment.byteSize() - BYTES || ((segment.address() + offset) & 7) != 0) {
            throw new IllegalArgumentException("a lock needs " + BYTES + " bytes at an 8-byte aligned offset inside the segment: offset "
                    + offset + " of " + segment);
        }
        this.segment = segment;
        this.owner = offset + OWNER;
        this.ownerPid = offset + OWNER_PID;
        this.waiters = offset + WAITERS;
        this.wakePending = offset + WAKE_PENDING;
        this.onTakeOver = onTakeOver;
    }

    /**
     * Starts a look at the owner word and a taker's bookkeeping beside it that must overlap no take-over
     * window of this JVM (see the notes), as {@code StampedLock.tryOptimisticRead}: look, then
     * {@link #validateLook}; retry while it fails.
     *
     * @return a stamp for {@link #validateLook}; -1 while a take-over is under way (the look cannot be valid)
     */
    public static long beginLook() {
        long stamp = TAKEOVERS.get();
        return (stamp & UNDER_WAY) == 0 ? stamp : -1;
    }

    /**
     * {@return true if no take-over window of this JVM overlapped the look since {@code stamp} was taken}:
     * it never saw a word this process just took over beside what the dead owner left there.
     */
    public static boolean validateLook(long stamp) {
        VarHandle.acquireFence(); // NOTE: the look's loads before the re-read below
        return stamp != -1 && TAKEOVERS.get() == stamp;
    }

    /**
     * The uncontended path: one CAS from free, nothing else (no clock read, no liveness question).
     *
     * @return true if this call took the lock; false means "call {@link #lock} or {@link #tryLock}"
     */
    public boolean tryLockFree() {
        // NOTE: the CAS with no read before it (one cache-line transfer per take between processes, not two). Known
        // limit: on a mapping whose file another process of the same user truncated, the interpreter's native CAS
        // is not guarded by HotSpot as reads are (Atomics.touch), and the SIGBUS ends the JVM instead of throwing.
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
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            boolean interrupted = false;
            boolean askIfDead = true; // on the first look (a try-once recovers), then after each slice that timed out
            try {
                long slice = Waits.FIRST_SLICE_NANOS;
                for (;;) {
                    long seen = spin(deadline);
                    if (seen == 0) {
                        return Acquired.ACQUIRED;
                    }
                    if (askIfDead && takeOverIfDead(seen)) {
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
                    // NOTE: register before reading the owner; pairs with unlock's fence, or with its program order
                    // through the membarrier below (a release that this read misses then sees the registration).
                    int ignored = (int) INT.getAndAdd(segment, waiters, 1);
                    Futex.WaitResult result = Futex.WaitResult.VALUE_CHANGED;
                    try {
                        long sleep = Math.min(remaining, slice);
                        if (Membarrier.AVAILABLE && !SyncWeakening.LOCK_NO_BARRIER && !Membarrier.globalBarrier()) {
                            sleep = Math.min(sleep, UNFENCED_SLICE_NANOS);
                        }
                        int pid = (int) INT.getVolatile(segment, ownerPid);
                        if (pid != 0) {
                            result = Futex.await(segment, ownerPid, pid, sleep);
                        }
                    } finally {
                        ignored = (int) INT.getAndAdd(segment, waiters, -1);
                        // NOTE: a volatile store (StoreLoad): the next release may wake again, and this
                        // waiter's re-read of the owner below comes after it.
                        INT.setVolatile(segment, wakePending, 0);
                    }
                    askIfDead = result == Futex.WaitResult.TIMED_OUT;
                    if (askIfDead) {
                        slice = Waits.nextSlice(slice);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (IllegalStateException e) {
            throw Waits.closedUnder(segment, "the lock", e);
        }
    }

    /**
     * Tries to take a free lock for up to the spin budget.
     *
     * @return 0 if taken, else the owner word last seen
     */
    private long spin(long deadline) {
        long spinEnd = Math.min(System.nanoTime() + Waits.SPIN_NANOS, deadline);
        for (int i = 0; ; i++) {
            long seen = (long) LONG.getVolatile(segment, owner);
            if (seen == 0) {
                if (LONG.compareAndSet(segment, owner, 0L, SELF)) {
                    return 0;
                }
                continue; // lost a race for a free lock: look again
            }
            if (((i & 15) == 0 || i >= SpinPause.PURE_SPINS) && System.nanoTime() - spinEnd >= 0) { // NOTE: the clock costs ~30 ns on a VM, a yield ~1 µs
                return seen;
            }
            SpinPause.pause(i);
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
        if (FENCELESS_RELEASE) {
            // NOTE: release: what the critical section wrote is visible to the next owner's CAS. The waiter
            // count is read after the store in program order (both are ordered accesses to this mapping, which
            // the JIT does not reorder); a sleeper's membarrier stands in for the store→load fence.
            LONG.setRelease(segment, owner, 0L);
        } else {
            // NOTE: a full barrier (xchg): the store is globally visible before the waiter count is read.
            long ignored = (long) LONG.getAndSet(segment, owner, 0L);
        }
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
        if (FENCELESS_RELEASE) {
            // NOTE: look, then store (as unlock): two processes releasing one hold at the same instant may both
            // succeed, as two CPython processes may (its release checks the value, then posts).
            if ((long) LONG.getVolatile(segment, owner) == 0) {
                return false;
            }
            LONG.setRelease(segment, owner, 0L);
            wakeOneIfWaiting();
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
        // NOTE: one wake until the woken waiter runs and clears the flag: without it, every release while
        // a waiter sleeps (or has been woken but not yet run) would pay a FUTEX_WAKE system call.
        if ((int) INT.getVolatile(segment, waiters) != 0 && INT.compareAndSet(segment, wakePending, 0, 1)
                && Futex.wake(segment, ownerPid, 1) == 0 && !SyncWeakening.LOCK_KEEP_PENDING) {
            // NOTE: nobody was asleep yet (a registered waiter still on its way into the kernel): no thread
            // will clear the flag, so clear it here, or a waiter that then sleeps on a word retaken by
            // the same pid would miss every later release.
            INT.setVolatile(segment, wakePending, 0);
        }
    }

    /** True if some thread is registered to sleep until the lock is released (a snapshot). */
    public boolean hasWaiters() {
        return (int) INT.getVolatile(segment, waiters) != 0;
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
        long ignored = TAKEOVERS.getAndIncrement(); // NOTE: before the CAS: a look that sees the word taken fails validation
        try {
            if (SyncWeakening.LOCK_PLAIN_TAKEOVER) {
                LONG.setVolatile(segment, owner, SELF); // weakened: may overwrite a recoverer or a newcomer
            } else if (!LONG.compareAndSet(segment, owner, word, SELF)) {
                return false;
            }
            lastDeadOwner = word;
            if (onTakeOver != null) {
                onTakeOver.run();
            }
            return true;
        } finally {
            ignored = TAKEOVERS.getAndAdd(ENDED); // NOTE: after the hook's stores
        }
    }
}
