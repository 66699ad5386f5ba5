package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * A counting semaphore across processes whose permits are returned when a process is killed holding
 * them: each process's net acquisitions are recorded in a holder table, and a waiter that finds no permit
 * reclaims those of dead holders. A process that ends in an orderly way, or closes its handle, first
 * {@linkplain #consumeHoldings consumes} its holdings (as in CPython, its permits stay taken), so only a
 * process that dies without doing so (SIGKILL, a crash, {@code Runtime.halt}) has its permits reclaimed;
 * {@link SemaphoreHoldings} arranges the orderly end. Optionally bounded (a release may not raise the
 * value above the initial one).
 *
 * <pre>
 *   +0 mutex: RobustLock (16 bytes)   guards every field below; held only for a few stores
 *  +16 value (long)        permits available
 *  +24 total (long)        permits in circulation: value + held (slot counts + untracked)
 *  +32 bound (long)        largest value a release may reach; -1 for none
 *  +40 sequence (int)      futex word: bumped by every release (and repair)
 *  +44 sleepers (int)      threads registered to sleep on the sequence (atomic, outside the mutex)
 *  +48 untracked (long)    permits held by processes that found the table full of live holders (never reclaimed)
 *  +56 recovered (long)    permits ever given back from dead holders (read by Semaphore.recoveredPermits)
 *  +64 holder slots: SLOTS x { owner: OwnerWord (long), count (long) }
 * </pre>
 *
 * <p>Blocking: {@link #acquire} waits until its deadline; a waiter uses no CPU between futex slices.
 * Thread-safe.
 */
/*
 * Implementation notes
 *
 * Invariant at every mutex release: value + sum(slot counts) + untracked == total. Every operation writes
 * so that a process killed between two of its stores leaves a state from which total alone rebuilds the
 * value: acquire records the holding first (slot count += 1), then value -= 1; release removes a holding
 * first (its own slot, else another process's, else untracked; else total += 1: a permit beyond the
 * initial ones), then value += 1. A mutex taken over from a dead holder (RECOVERED) therefore repairs by
 * value = total - held, then bumps the sequence and wakes everyone.
 *
 * Sleeping: a waiter that finds value == 0 under the mutex first reclaims dead holders' permits (a slot
 * whose owner is dead gives its count back to value), spins outside the mutex (once, for an adaptive
 * budget: SpinBudget), then reads the sequence s and registers as a
 * sleeper while still holding the mutex, releases it and FUTEX_WAITs on (sequence, s). A release bumps the
 * sequence under the mutex, after that registration or before the read of s: either the kernel sees a
 * changed word (EAGAIN), or the waiter saw the permit. The releaser wakes one sleeper if any is
 * registered; a woken waiter that leaves without a permit (timeout, interrupt) and sees permits left
 * passes the wake on, so no permit sits unclaimed while someone sleeps.
 *
 * A release by a process that holds no permit takes one off another holder's count (Python lets any
 * process release): the permit it returns is one that other process acquired, so that process's death
 * must not return it a second time.
 *
 * Consuming (an orderly end, or close): the process's slot is cleared without raising the value, and
 * total drops by its count (those permits left circulation, as in CPython). Stores: the count first, then
 * total, then the owner. A process killed between the first two leaves value + held == total - count, and
 * the repair (value = total - held) gives the count back: a consume cut short by the process's death reads
 * as that death, permits given back as for any process killed holding them (not counted as recovered), the
 * invariant intact. The other order would leave total short of value + held, and the repair's clamp at 0
 * could then break the invariant. After consuming through an instance, takes through it that find no slot
 * of this process are untracked (never reclaimed): a thread still acquiring while the JVM exits, or racing
 * close(), also consumes what it takes.
 *
 * Recovered count: reclaimDead adds a dead slot's count to RECOVERED first, then zeroes the slot, then
 * raises the value. A reclaimer that dies after the first store leaves the slot to be reclaimed (and
 * counted) again by the next one; the value is right either way (repair rebuilds it from total). So the
 * count is exact unless a reclaimer itself dies mid-reclaim, and then it is too high, never too low.
 */
public final class SharedSemaphore {
    public static final int SLOTS = 64;
    private static final long MUTEX = 0;
    private static final long VALUE = 16;
    private static final long TOTAL = 24;
    private static final long BOUND = 32;
    private static final long SEQUENCE = 40;
    private static final long SLEEPERS = 44;
    private static final long UNTRACKED = 48;
    private static final long RECOVERED = 56;
    private static final long TABLE = 64;
    private static final long SLOT_BYTES = 16;
    /** Bytes of shared memory the semaphore takes. */
    public static final long BYTES = TABLE + SLOTS * SLOT_BYTES;

    private final MemorySegment segment;
    private final long base;
    private final RobustLock mutex;
    private final SpinBudget spin = new SpinBudget();
    /** This process's slot index last seen, or -1: a hint, checked under the mutex. */
    private int mySlot = -1;
    /** Set by {@link #consumeHoldings}: takes through this instance no longer claim a slot (see the notes). */
    private volatile boolean consumed;

    public SharedSemaphore(MemorySegment segment, long base) {
        this.segment = segment;
        this.base = base;
        this.mutex = new RobustLock(segment, base + MUTEX);
    }

    /** Writes the initial state into zeroed memory nobody else sees yet. */
    public static void initialize(MemorySegment segment, long base, long value, boolean bounded) {
        segment.set(ValueLayout.JAVA_LONG, base + VALUE, value);
        segment.set(ValueLayout.JAVA_LONG, base + TOTAL, value);
        segment.set(ValueLayout.JAVA_LONG, base + BOUND, bounded ? value : -1L);
    }

    /**
     * Takes one permit, waiting until {@code deadline} (past: try once, reclaiming dead holders' permits;
     * {@link Long#MAX_VALUE}: no deadline, and no clock read on the uncontended path).
     *
     * @return false if the deadline passed first
     * @throws InterruptedException if interrupted while waiting; nothing stays registered
     */
    public boolean acquire(long deadline, boolean interruptible) throws InterruptedException {
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            if (interruptible && Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (mutex.tryLockFree()) { // the uncontended path: no clock read
                try {
                    if (get(VALUE) > 0) {
                        take();
                        return true;
                    }
                } finally {
                    mutex.unlock();
                }
            }
            if (deadline == Long.MAX_VALUE) {
                deadline = Waits.never();
            }
            boolean interrupted = false;
            boolean reclaimed = false;
            boolean spun = false;
            boolean slept = false;
            long waitStart = 0;
            long slice = Waits.FIRST_SLICE_NANOS;
            try {
                for (;;) {
                    enter(deadline, interruptible);
                    int s;
                    try {
                        if (get(VALUE) == 0 && !reclaimed) {
                            reclaimDead();
                            reclaimed = true;
                        }
                        if (get(VALUE) > 0) {
                            take();
                            if (slept) {
                                spin.slept(System.nanoTime() - waitStart);
                            }
                            return true;
                        }
                        if (deadline - System.nanoTime() <= 0) {
                            return false;
                        }
                        if (!spun) {
                            s = -1; // not registered: spin outside the mutex first (below)
                        } else {
                            s = (int) INT.getVolatile(segment, base + SEQUENCE);
                            // NOTE: registered under the mutex, before a release can bump the sequence past s.
                            int ignored = (int) INT.getAndAdd(segment, base + SLEEPERS, 1);
                        }
                    } finally {
                        mutex.unlock();
                    }
                    if (!spun) {
                        spun = true;
                        waitStart = System.nanoTime();
                        long spinEnd = Math.min(waitStart + spin.nanos(), deadline);
                        for (int look = 0; value() == 0 && System.nanoTime() - spinEnd < 0; look++) {
                            SpinPause.pause(look);
                        }
                        if (value() > 0) {
                            spin.succeeded();
                        } else {
                            spin.failed();
                            slept = true;
                        }
                        continue;
                    }
                    try {
                        Futex.await(segment, base + SEQUENCE, s, Math.min(slice, deadline - System.nanoTime()));
                    } finally {
                        int ignored = (int) INT.getAndAdd(segment, base + SLEEPERS, -1);
                    }
                    slice = Waits.nextSlice(slice);
                    reclaimed = false;
                    if (Thread.interrupted()) {
                        if (interruptible) {
                            passWakeOn();
                            throw new InterruptedException();
                        }
                        interrupted = true;
                    }
                    if (deadline - System.nanoTime() <= 0) {
                        passWakeOn(); // the last look under the mutex in the next round decides
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (IllegalStateException e) {
            throw Waits.closedUnder(segment, "the semaphore", e);
        }
    }

    /**
     * Returns one permit.
     *
     * @throws IllegalStateException if the semaphore is bounded and the value is at its bound, or the value
     *         is {@link Integer#MAX_VALUE} already (CPython's {@code SEM_VALUE_MAX} on Linux)
     */
    public void release() {
        try {
            enter(Long.MAX_VALUE, false); // NOTE: only reached by lock(), which treats it as never (see enter)
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
        try {
            long value = get(VALUE);
            long bound = get(BOUND);
            if (bound >= 0 && value >= bound) {
                throw new IllegalStateException("a bounded semaphore released too many times: its value is already "
                        + value + ", its initial value");
            }
            if (value >= Integer.MAX_VALUE) {
                throw new IllegalStateException("a semaphore released too many times: its value is already " + value
                        + ", the largest a semaphore holds (as CPython's SEM_VALUE_MAX)");
            }
            dropHolding();
            set(VALUE, value + 1);
            // NOTE: under the mutex, as the sleepers' registration: no atomic add needed
            INT.setRelease(segment, base + SEQUENCE, (int) INT.getAcquire(segment, base + SEQUENCE) + 1);
        } finally {
            mutex.unlock();
        }
        if ((int) INT.getVolatile(segment, base + SLEEPERS) != 0) {
            Futex.wake(segment, base + SEQUENCE, 1);
        }
    }

    /**
     * Consumes this process's holdings, as an orderly end of the process does in CPython: its slot is
     * cleared and its permits leave circulation instead of coming back, so that no reclaim gives them back
     * after this process exits. Later takes through this instance that find no slot of this process are
     * not tracked (never reclaimed). Idempotent; permits this process takes through another instance
     * afterwards are tracked as usual. Waits for the internal mutex until {@code deadline} (past: try once).
     *
     * @return false if the mutex stayed held past the deadline: the holdings were left as they were (a
     *         later reclaim gives them back after this process dies)
     */
    public boolean consumeHoldings(long deadline) {
        consumed = true; // NOTE: before the mutex: a take that follows our unlock sees it (see the notes)
        RobustLock.Acquired acquired;
        try {
            acquired = mutex.lock(deadline, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
        if (!acquired.held()) {
            return false;
        }
        try {
            if (acquired == RobustLock.Acquired.RECOVERED) {
                repair();
            }
            for (int i = 0; i < SLOTS; i++) {
                if (get(slot(i)) == OwnerWord.SELF) {
                    long count = get(slot(i) + 8);
                    set(slot(i) + 8, 0); // NOTE: the count first, then total (see the notes)
                    set(TOTAL, get(TOTAL) - count);
                    set(slot(i), 0);
                }
            }
            mySlot = -1;
        } finally {
            mutex.unlock();
        }
        return true;
    }

    /** Permits available now (a snapshot, as Python's {@code get_value}). */
    public long value() {
        return (long) LONG.getVolatile(segment, base + VALUE);
    }

    /** Permits ever given back from processes that died holding them (a snapshot; see the notes). */
    public long recovered() {
        return (long) LONG.getVolatile(segment, base + RECOVERED);
    }

    /** Threads registered to sleep until a release (a snapshot). */
    public int sleepers() {
        return (int) INT.getVolatile(segment, base + SLEEPERS);
    }

    /** Permits this process holds (net of its releases), a snapshot. */
    public long heldByThisProcess() {
        for (int i = 0; i < SLOTS; i++) {
            if ((long) LONG.getVolatile(segment, slot(i)) == OwnerWord.SELF) {
                return (long) LONG.getVolatile(segment, slot(i) + 8);
            }
        }
        return 0;
    }

    /** Takes the mutex; after a take-over from a dead holder, repairs the value first. */
    private void enter(long deadline, boolean interruptible) throws InterruptedException {
        if (mutex.tryLockFree()) {
            return;
        }
        RobustLock.Acquired acquired;
        if (deadline == Long.MAX_VALUE) {
            deadline = Waits.never();
        }
        while (!(acquired = mutex.lock(deadline, interruptible)).held()) {
            deadline = System.nanoTime(); // NOTE: held only for a few stores: wait for it past the caller's deadline
            deadline += Waits.FIRST_SLICE_NANOS;
        }
        if (acquired == RobustLock.Acquired.RECOVERED) {
            repair();
        }
    }

    private void take() {
        int i = findOrClaimSlot();
        if (i >= 0) {
            set(slot(i) + 8, get(slot(i) + 8) + 1); // NOTE: the holding first, then the value (see notes)
        } else {
            set(UNTRACKED, get(UNTRACKED) + 1);
        }
        set(VALUE, get(VALUE) - 1);
    }

    /** Removes one holding for a release: this process's, else another's, else a new permit. */
    private void dropHolding() {
        int mine = findSlot();
        if (mine >= 0 && get(slot(mine) + 8) > 0) {
            set(slot(mine) + 8, get(slot(mine) + 8) - 1);
            return;
        }
        for (int i = 0; i < SLOTS; i++) {
            long count = get(slot(i) + 8);
            if (count > 0) {
                set(slot(i) + 8, count - 1);
                return;
            }
        }
        long untracked = get(UNTRACKED);
        if (untracked > 0) {
            set(UNTRACKED, untracked - 1);
            return;
        }
        set(TOTAL, get(TOTAL) + 1);
    }

    /** Gives the permits of dead holders back (under the mutex). */
    private void reclaimDead() {
        for (int i = 0; i < SLOTS; i++) {
            long owner = get(slot(i));
            long count = get(slot(i) + 8);
            if (count > 0 && owner != OwnerWord.SELF && OwnerWord.isDead(owner)) {
                set(RECOVERED, get(RECOVERED) + count); // NOTE: counted first (see the notes)
                set(slot(i) + 8, 0);
                set(VALUE, get(VALUE) + count);
                set(slot(i), 0);
            }
        }
    }

    /** After the mutex was taken over from a process that died inside: value = total - held, wake all. */
    private void repair() {
        long held = get(UNTRACKED);
        for (int i = 0; i < SLOTS; i++) {
            held += get(slot(i) + 8);
        }
        set(VALUE, Math.max(0, get(TOTAL) - held));
        int ignored = (int) INT.getAndAdd(segment, base + SEQUENCE, 1);
        Futex.wake(segment, base + SEQUENCE, Integer.MAX_VALUE);
    }

    /** Wakes one more sleeper if permits are left: this waiter may have taken a wake it will not use. */
    private void passWakeOn() {
        if (value() > 0 && (int) INT.getVolatile(segment, base + SLEEPERS) != 0) {
            Futex.wake(segment, base + SEQUENCE, 1);
        }
    }

    private int findSlot() {
        int hint = mySlot;
        if (hint >= 0 && get(slot(hint)) == OwnerWord.SELF) {
            return hint;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (get(slot(i)) == OwnerWord.SELF) {
                mySlot = i;
                return i;
            }
        }
        return -1;
    }

    private int findOrClaimSlot() {
        int i = findSlot();
        if (i >= 0 || consumed) {
            return i;
        }
        for (int pass = 0; pass < 2; pass++) {
            for (i = 0; i < SLOTS; i++) {
                if (get(slot(i) + 8) == 0) {
                    set(slot(i), OwnerWord.SELF);
                    mySlot = i;
                    return i;
                }
            }
            if (pass == 0) {
                reclaimDead(); // the table is full: dead holders give their slots (and permits) back first
            }
        }
        return -1; // more than SLOTS live processes hold permits: this one's are not tracked
    }

    private long slot(int i) {
        return TABLE + i * SLOT_BYTES;
    }

    /**
     * A field read under the mutex: plain, since the mutex's CAS already ordered it after the previous
     * holder's stores and no other process writes these fields while we hold it.
     */
    private long get(long field) {
        return (long) LONG.get(segment, base + field);
    }

    /**
     * A field write under the mutex: release keeps the stores in program order (what the notes' repair
     * relies on), and the mutex's release exchange publishes them; no fence of its own.
     */
    private void set(long field, long v) {
        LONG.setRelease(segment, base + field, v);
    }
}
