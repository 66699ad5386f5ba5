package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.futex.Membarrier;
import org.multiprocessing4j.internal.futex.SpinPause;
import org.multiprocessing4j.internal.sync.RobustLock.Acquired;

/**
 * A {@link RobustLock} that a thread which keeps taking it alone comes to take and release without an
 * atomic instruction ("biased" to it), on {@value #BYTES} bytes of a shared mapping. Any other thread, of
 * any process, takes the lock as before and revokes the bias on the way; the lock stays robust (a dead
 * holder is recovered, biased or not) and may be released by any thread, as a {@code Lock} may.
 *
 * <pre>
 *  +0 RobustLock (16 bytes): the owner word, taken with a CAS by every thread but the bias thread
 * +16 bias state (int): low 2 bits NONE 0, ACTIVE 1, REVOKING 2; the bits above count revocations
 * +20 biased hold (int): 1 while the bias thread holds the lock through the bias
 * +24 bias process (long): the {@link OwnerWord} of the bias thread's process, 0 before the first bias
 * +32 bias thread (int): that thread's {@link Thread#threadId()}
 * +36 contended at (int): when a thread last found the owner word taken, in units of 1024 ns of
 *     {@code System.nanoTime()} (the monotonic clock every process shares), wrapping; 0 for never
 * </pre>
 * Zero bytes are a free, unbiased lock. Thread-safe; the waits are those of {@link RobustLock}.
 */
/*
 * Implementation notes
 *
 * Bias thread's take (its hint biasedHere set, held 0): store held = 1, then read the state, with no fence
 * between; ACTIVE → held, else store held = 0, drop the hint and take the owner word instead. Its release:
 * one release store of held = 0, and nothing else (the bias thread seeing held = 1 knows it is its own
 * hold: only it sets held, and not while releasing): a revoker polls for held = 0 rather than sleeping on
 * a futex, so that the release need not look for a sleeper (revocations are rare: see Grant). So a biased
 * pair is a load, two stores and an acquire load of shared memory, no atomic instruction.
 *
 * Revoker: a thread holding the owner word that sees the state not NONE. It stores REVOKING (a volatile
 * store), issues membarrier(2) GLOBAL_EXPEDITED, then waits until held is 0 and stores NONE. The bias
 * thread's process is registered for the barrier (a process that is not never earns a bias), so its
 * store→load pair is ordered for the revoker as in Membarrier's class doc: either the revoker's read after
 * the barrier sees held = 1 (it waits), or the bias thread's re-read sees REVOKING (it backs off). The wait
 * spins for the spin budget, then parks in sleeps doubling from 10 µs to 1 ms.
 *
 * Who writes what. The state is written only by a holder of the owner word (grant, revocation), so no CAS.
 * Held is set to 1 only by the bias thread; set to 0 by a release or the bias thread's back-off. A bias
 * thread whose hint is stale stores held = 1 (and then 0) once more after a revocation: harmless while
 * the state is NONE (no other thread reads held then; a revoker polling it waits a moment longer), and a
 * bias is only ever granted again to that same thread
 * (the bias identity never moves while its process lives), whose stale store precedes its new take in its
 * own program order. The identity moves to another thread only once its process is dead, when no stale
 * store can come.
 *
 * Grant: each process counts, in this object, the CAS-path holds in a row of one of its threads (fields
 * written under the lock). A release by that thread once its streak reaches 64 << revocations (doubling per
 * revocation, capped) makes it the bias thread, unless the lock was contended lately: state ACTIVE before the
 * owner word's release store, so any later CAS-path holder sees it. Holds by other processes in between
 * are not counted (counting them in shared memory would write the lock's cache line inside every critical
 * section, which a contending process then pays for); instead a thread whose CAS finds the owner word
 * taken records when (the first of every 16 such misses in a process reads the clock, and stores at most
 * once per 128 µs, while that thread waits anyway), and a grant
 * decision that finds a record younger than 1 ms, or a sleeping waiter, starts the streak again. So two
 * processes taking turns never bias the lock; one that takes it alone for a while does. A bias that meets
 * another taker all the same costs one revocation and doubles the streak needed next; after the third
 * revocation the lock is not biased again (while the bias identity's process lives). The bias thread
 * taking the owner word itself (its local hint not yet set) keeps the bias, and turns its hold into a biased
 * one (held = 1, owner word released): a hold on the owner word beside an ACTIVE bias would let another
 * object of its process for the same lock, whose hint names it, take the lock a second time through the bias.
 *
 * Death: a revoker asks whether the bias process is dead on its first look and then every 20 ms of its
 * wait; if so it clears held and reports RECOVERED. A revoker killed mid-way leaves REVOKING and a
 * dead owner word: the recoverer of the owner word sees REVOKING and finishes the revocation.
 */
public final class BiasedLock {
    /** Bytes of shared memory the lock takes; the offset must be 8-byte aligned. */
    public static final long BYTES = 40;
    private static final long STATE = 16;
    private static final long HELD = 20;
    private static final long BIAS_PROCESS = 24;
    private static final long BIAS_THREAD = 32;
    private static final long CONTENDED_AT = 36;
    /** The contended-at clock: System.nanoTime() >>> this. */
    private static final int CLOCK_SHIFT = 10;
    /** No bias for a lock found taken by another less than this long ago (in clock units: ~1 ms). */
    private static final int CONTENTION_MEMORY = 1_000;
    /** A taker that finds the lock taken records it only if the last record is older (~128 µs). */
    private static final int CONTENTION_REFRESH = 125;

    private static final int MODE = 3;
    private static final int NONE = 0;
    private static final int ACTIVE = 1;
    private static final int REVOKING = 2;
    /** Where the revocation count saturates (it sits above the state's mode bits). */
    private static final int MAX_REVOCATIONS = 1 << 20;
    /** CAS-path holds in a row that earn the first bias; each revocation doubles it (up to 2^16 times). */
    static final int FIRST_STREAK = SyncWeakening.LOCK_BIAS_EAGER ? 8 : 64;
    private static final int MAX_DOUBLINGS = SyncWeakening.LOCK_BIAS_EAGER ? 0 : 16;
    /**
     * Revocations after which the lock is never biased again (while its bias identity lives): a revocation
     * across processes costs the revoker a membarrier (30-70 µs on this 2-vCPU VM) and a wait for the bias
     * thread, which a time-sliced machine may not be running; two processes that take turns in slices of
     * milliseconds would otherwise pay it at every turn until the doubled streak outgrows their slices.
     */
    static final int BIASES_AFTER_REVOCATION = SyncWeakening.LOCK_BIAS_EAGER ? Integer.MAX_VALUE : 2;
    private static final long FIRST_SLEEP_NANOS = 10_000;
    private static final long MAX_SLEEP_NANOS = 1_000_000;
    private static final long DEATH_CHECK_NANOS = 20_000_000;
    /** Whether this process's threads may be biased to: only if other processes' barriers reach it. */
    private static final boolean BIASABLE = Membarrier.REGISTERED && Configuration.lockBiasEnabled();
    private static final long SELF = OwnerWord.SELF;

    private final MemorySegment segment;
    private final RobustLock owner;
    private final long state;
    private final long held;
    private final long biasProcess;
    private final long biasThread;
    private final long contendedAt;
    /** The thread of this process whose CAS-path holds are being counted; written under the lock. */
    private Thread streakThread;
    /** Its holds in a row; written under the lock. */
    private int streak;
    /** This process's takes that found the owner word taken (a racy count: only its low bits matter). */
    private int misses;
    /** The thread of this process the lock is biased to, once seen (a hint: null only costs the CAS path). */
    private Thread biasedHere;
    /** The pid of the dead bias process the last biased take-over recovered from. */
    private volatile int lastDeadBiasPid;
    /** Whether the last RECOVERED result came from a biased hold (else from the owner word). */
    private volatile boolean lastRecoveryBiased;

    public BiasedLock(MemorySegment segment, long offset) {
        this.owner = new RobustLock(segment, offset);
        if (offset > segment.byteSize() - BYTES) {
            throw new IllegalArgumentException("a biased lock needs " + BYTES + " bytes at an 8-byte aligned offset inside the segment: offset "
                    + offset + " of " + segment);
        }
        this.segment = segment;
        this.state = offset + STATE;
        this.held = offset + HELD;
        this.biasProcess = offset + BIAS_PROCESS;
        this.biasThread = offset + BIAS_THREAD;
        this.contendedAt = offset + CONTENDED_AT;
    }

    /**
     * The uncontended paths: the bias thread's plain take, or one CAS from free; no clock read, no
     * liveness question.
     *
     * @return true if this call took the lock; false means "call {@link #lock} or {@link #tryLock}"
     */
    public boolean tryLockFree() {
        if (biasedHere == Thread.currentThread()) {
            if (tryBiased()) {
                return true;
            }
            if ((int) INT.get(segment, held) != 0) {
                return false; // NOTE: its own biased hold (only this thread sets held): no CAS can help
            }
        }
        // NOTE: the CAS first, the state after: a look before it would fetch the line shared, and the CAS
        // then fetch it again to own it, two transfers per take when another process takes it too.
        if (!owner.tryLockFree()) {
            noteContended();
            return false;
        }
        if (mode((int) INT.get(segment, state)) != NONE) {
            owner.unlock(); // NOTE: biased (rare): gives the owner word back; lock() revokes, with a deadline
            return false;
        }
        countStreak();
        return true;
    }

    /** One attempt, never blocking (a bias is revoked if its thread does not hold the lock); takes over from a dead holder. */
    public Acquired tryLock() {
        if (biasedHere == Thread.currentThread() && tryBiased()) {
            return Acquired.ACQUIRED;
        }
        try {
            return settle(owner.tryLock(), System.nanoTime(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /**
     * Takes the lock, waiting until {@code deadline} (a {@code System.nanoTime()} value; a past one means
     * "try once", which still takes over from a dead holder).
     *
     * @param interruptible whether an interrupt ends the wait; if not, the interrupt status is kept
     * @throws InterruptedException if interruptible and interrupted on entry or while waiting; nothing is held
     */
    public Acquired lock(long deadline, boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (biasedHere == Thread.currentThread() && tryBiased()) {
            return Acquired.ACQUIRED;
        }
        if (owner.isLocked()) {
            noteContended(); // NOTE: a look, not a CAS: a failed CAS would take the line from the holder
        }
        return settle(owner.lock(deadline, interruptible), deadline, interruptible);
    }

    /** The bias thread's take (the caller is {@link #biasedHere}). */
    private boolean tryBiased() {
        if ((int) INT.get(segment, held) != 0) {
            return false;
        }
        INT.set(segment, held, 1);
        // NOTE: this read follows the store above with no fence: a revoker's membarrier orders the pair (notes).
        if (mode((int) INT.getAcquire(segment, state)) == ACTIVE || SyncWeakening.LOCK_BIAS_NO_RECHECK) {
            return true;
        }
        INT.setRelease(segment, held, 0);
        biasedHere = null; // NOTE: the bias is gone: no more tries until a grant (or a revoke() by this thread) sets it
        return false;
    }

    /** After the owner word was taken (or not): revokes a bias, counts the streak. */
    private Acquired settle(Acquired taken, long deadline, boolean interruptible) throws InterruptedException {
        if (!taken.held()) {
            return taken;
        }
        if (taken == Acquired.RECOVERED) {
            lastRecoveryBiased = false;
        }
        int s = (int) INT.get(segment, state);
        if (mode(s) == NONE) {
            countStreak();
            return taken;
        }
        Acquired unbiased = revoke(s, deadline, interruptible);
        if (!unbiased.held()) {
            return unbiased;
        }
        return taken == Acquired.RECOVERED ? taken : unbiased;
    }

    /**
     * Ends the bias; the caller holds the owner word. Waits for the bias thread's hold to end.
     *
     * @return TIMED_OUT (owner word released) if the deadline passed first
     * @throws InterruptedException if interruptible and interrupted while waiting (owner word released)
     */
    private Acquired revoke(int s, long deadline, boolean interruptible) throws InterruptedException {
        if (isBiasThread()) {
            biasedHere = Thread.currentThread();
            if (mode(s) == ACTIVE && (int) INT.get(segment, held) == 0) {
                // NOTE: the hold becomes a biased one: kept on the owner word beside an ACTIVE bias, another
                // object of this process for the same lock (a decoded copy), whose hint names this thread,
                // would take the lock again through the bias while this thread holds it. Only this thread
                // sets held, and no revoker runs while the owner word is held here; the release store orders it.
                INT.set(segment, held, 1);
                owner.unlock();
                return Acquired.ACQUIRED;
            }
        }
        if (mode(s) == ACTIVE) {
            int count = Math.min(MAX_REVOCATIONS, (s >>> 2) + 1);
            INT.setVolatile(segment, state, count << 2 | REVOKING);
        }
        if (!Membarrier.globalBarrier()) {
            // NOTE: never expected (the bias process registered, so the kernel offers it): a store still in
            // a store buffer drains within microseconds; give it a millisecond (a park: the owner word is
            // held here, so no InterruptedException may leave it so; the loop below looks at interrupts).
            LockSupport.parkNanos(1_000_000);
        }
        boolean interrupted = false;
        boolean recovered = false;
        long nextDeathCheck = System.nanoTime(); // NOTE: on the first look, then every DEATH_CHECK_NANOS
        long sleep = FIRST_SLEEP_NANOS;
        try {
            for (boolean first = true; ; first = false) {
                if (first ? heldEndsWithinSpin(deadline) : (int) INT.getAcquire(segment, held) == 0) {
                    break;
                }
                long now = System.nanoTime();
                if (now - nextDeathCheck >= 0) {
                    long bias = (long) LONG.get(segment, biasProcess);
                    if (OwnerWord.isDead(bias)) {
                        INT.setRelease(segment, held, 0);
                        lastDeadBiasPid = OwnerWord.pid(bias);
                        lastRecoveryBiased = true;
                        recovered = true;
                        break;
                    }
                    nextDeathCheck = now + DEATH_CHECK_NANOS;
                }
                if (Thread.interrupted()) {
                    if (interruptible) {
                        owner.unlock();
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                long remaining = deadline - now;
                if (remaining <= 0) {
                    owner.unlock(); // NOTE: REVOKING stays: no biased take until a later holder finishes this
                    return Acquired.TIMED_OUT;
                }
                LockSupport.parkNanos(Math.min(remaining, sleep));
                sleep = Math.min(MAX_SLEEP_NANOS, sleep << 1);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        int now = (int) INT.get(segment, state);
        INT.setRelease(segment, state, now & ~MODE | NONE);
        return recovered ? Acquired.RECOVERED : Acquired.ACQUIRED;
    }

    /** Spins (up to the spin budget) for held to be 0. */
    private boolean heldEndsWithinSpin(long deadline) {
        long spinEnd = Math.min(System.nanoTime() + Waits.SPIN_NANOS, deadline);
        for (int i = 0; ; i++) {
            if ((int) INT.getAcquire(segment, held) == 0) {
                return true;
            }
            if (((i & 15) == 0 || i >= SpinPause.PURE_SPINS) && System.nanoTime() - spinEnd >= 0) {
                return false;
            }
            SpinPause.pause(i);
        }
    }

    /** The owner word was found taken: unless by this process (whose takes reset the local streak anyway), no bias for now (notes). */
    private void noteContended() {
        if ((misses++ & 15) != 0) {
            return; // NOTE: the clock costs ~30 ns here: the first of every 16 misses of this process records
        }
        int now = clock();
        int last = (int) INT.get(segment, contendedAt);
        int age = now - last;
        if ((last == 0 || age < 0 || age >= CONTENTION_REFRESH) && !owner.isHeldByThisProcess()) {
            INT.set(segment, contendedAt, now);
        }
    }

    private boolean contendedLately() {
        int last = (int) INT.get(segment, contendedAt);
        int age = clock() - last; // NOTE: wraps every ~73 minutes; differences below 2^31 units are exact
        return last != 0 && age >= 0 && age < CONTENTION_MEMORY;
    }

    /** The contended-at clock now; never 0 (0 is "never contended"). */
    private static int clock() {
        int now = (int) (System.nanoTime() >>> CLOCK_SHIFT);
        return now == 0 ? 1 : now;
    }

    private void countStreak() {
        if (!BIASABLE) {
            return;
        }
        Thread current = Thread.currentThread();
        if (streakThread != current) {
            streakThread = current;
            streak = 1;
        } else if (streak < Integer.MAX_VALUE) {
            streak++;
        }
    }

    /** Releases the lock, whoever holds it; the caller knows it is held. */
    public void unlock() {
        if (biasedHere == Thread.currentThread() && (int) INT.get(segment, held) != 0) {
            releaseBiased(); // NOTE: as in releaseIfHeld
            return;
        }
        int s = (int) INT.get(segment, state);
        if (mode(s) != NONE && (int) INT.get(segment, held) != 0) {
            releaseBiased();
            return;
        }
        if (streak >= FIRST_STREAK) {
            grantIfEarned(s); // NOTE: the cheap look first: most releases never call it
        }
        owner.unlock();
    }

    /**
     * Releases the lock if anyone holds it (a plain {@code Lock} may be released by any thread).
     *
     * @return false if it was free (nothing changed)
     */
    public boolean releaseIfHeld() {
        if (biasedHere == Thread.currentThread() && (int) INT.get(segment, held) != 0) {
            releaseBiased(); // NOTE: its own biased hold (only this thread sets held, and it is not taking now)
            return true;
        }
        int s = (int) INT.get(segment, state);
        if (mode(s) != NONE && (int) INT.get(segment, held) != 0) {
            releaseBiased();
            return true;
        }
        if (!owner.isLocked()) {
            return false;
        }
        if (streak >= FIRST_STREAK) {
            grantIfEarned(s);
        }
        return owner.releaseIfHeld();
    }

    private void releaseBiased() {
        INT.setRelease(segment, held, 0); // NOTE: a revoker polls for it (notes)
    }

    /** On a release of the owner word: makes the streak's thread the bias thread if it is the caller and earned it. */
    private void grantIfEarned(int s) {
        if (mode(s) != NONE || streak < FIRST_STREAK << Math.min(s >>> 2, MAX_DOUBLINGS) || s >>> 2 > BIASES_AFTER_REVOCATION) {
            return;
        }
        long tid = Thread.currentThread().threadId();
        if (streakThread != Thread.currentThread() || tid > Integer.MAX_VALUE) {
            return; // NOTE: released by another thread than the streak's: it will earn it on its own release
        }
        streak = 0;
        if (!SyncWeakening.LOCK_BIAS_EAGER && (owner.hasWaiters() || contendedLately())) {
            return; // NOTE: another taker lately: count a new streak
        }
        long identity = (long) LONG.get(segment, biasProcess);
        if (identity == SELF && (int) INT.get(segment, biasThread) == (int) tid) {
            INT.setRelease(segment, state, s | ACTIVE); // NOTE: the owner word's release store publishes it
        } else if (identity == 0 || identity != SELF && OwnerWord.isDead(identity)) {
            LONG.set(segment, biasProcess, SELF);
            INT.set(segment, biasThread, (int) tid);
            INT.setRelease(segment, state, ACTIVE); // a new identity: its revocation count starts again
        } else {
            return; // the identity is another live thread's: never moved (see the notes)
        }
        biasedHere = Thread.currentThread();
    }

    private boolean isBiasThread() {
        return (long) LONG.get(segment, biasProcess) == SELF
                && (int) INT.get(segment, biasThread) == (int) Thread.currentThread().threadId();
    }

    private static int mode(int s) {
        return s & MODE;
    }

    private boolean biasedHold() {
        return mode((int) INT.getVolatile(segment, state)) != NONE && (int) INT.getVolatile(segment, held) != 0;
    }

    /** True if some process holds the lock (a snapshot). */
    public boolean isLocked() {
        return biasedHold() || owner.isLocked();
    }

    /**
     * True if this process holds the lock (a snapshot, exact for the holder itself). A biased hold names
     * the bias process, whoever holds the owner word meanwhile (a revoker still waiting has not taken it).
     */
    public boolean isHeldByThisProcess() {
        if (biasedHere == Thread.currentThread() && (int) INT.get(segment, held) != 0) {
            return true; // NOTE: only this thread sets held, and it is not inside a take now: its own biased hold
        }
        return biasedHold() ? (long) LONG.getVolatile(segment, biasProcess) == SELF : owner.isHeldByThisProcess();
    }

    /** The holder's pid, 0 when free (a snapshot, for tests and messages). */
    public int ownerPid() {
        return biasedHold() ? OwnerWord.pid((long) LONG.getVolatile(segment, biasProcess)) : owner.ownerPid();
    }

    /** The pid of the dead holder the last {@link Acquired#RECOVERED} of this object took over from. */
    public int lastDeadOwnerPid() {
        return lastRecoveryBiased ? lastDeadBiasPid : owner.lastDeadOwnerPid();
    }

    /** True if some thread is registered to sleep until the lock is released (a snapshot). */
    public boolean hasWaiters() {
        return owner.hasWaiters();
    }

    /** True if the lock is biased to a thread now (a snapshot, for tests). */
    public boolean isBiased() {
        return mode((int) INT.getVolatile(segment, state)) == ACTIVE;
    }

    /** Revocations so far (a snapshot, for tests). */
    int revocations() {
        return (int) INT.getVolatile(segment, state) >>> 2;
    }
}
