package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLongArray;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * The waiter table of a condition variable across processes: each waiting thread owns a slot with its own
 * futex word, so a signal wakes exactly the waiters it chose (oldest first), a signal with nobody waiting
 * is not stored, a waiter that gives up (timeout, interrupt) absorbs no later signal, and a waiter whose
 * process died is skipped. The caller holds the condition's lock around {@link #register},
 * {@link #finish}, {@link #signal} (the lock orders those; this class only needs atomicity for the slot
 * state and the waiting count, which the waiter changes without the lock).
 *
 * <pre>
 *   +0 next ticket (long)       FIFO order of registrations
 *   +8 waiting (int)            slots in REGISTERED or SLEEPING: a signal with none returns at once
 *  +64 slots: SLOTS x { state (int) | pad | owner: OwnerWord (long) | ticket (long) | reserved (long) }
 *      state FREE 0, REGISTERED 1 (spinning), SLEEPING 2 (in or entering FUTEX_WAIT), SIGNALLED 3,
 *            WITHDRAWN 4 (gave up unsignalled, not yet finished); the slot's futex word
 * </pre>
 */
/*
 * Implementation notes
 *
 * Wait: register (under the lock: a FREE slot gets owner, ticket, then state REGISTERED with release;
 * waiting + 1), release the lock, spin briefly while the state is REGISTERED, then CAS REGISTERED →
 * SLEEPING and FUTEX_WAIT(state, SLEEPING). Signal (under the lock): for the oldest REGISTERED/SLEEPING
 * slot of a live process, CAS (state, seen → SIGNALLED), waiting - 1, and FUTEX_WAKE only if it was
 * SLEEPING; a failed CAS reads the state again (REGISTERED → SLEEPING: retry; WITHDRAWN: the waiter gave up
 * first, skip it, not counted). The waiter's CAS and the signaller's CAS make the handshake atomic: either
 * the waiter's CAS fails (it sees SIGNALLED and does not sleep), or the signaller sees SLEEPING and wakes
 * it; FUTEX_WAIT on SLEEPING returns at once if the state changed first. The weakening
 * condition-plain-sleep replaces the waiter's CAS by a plain store, which can overwrite SIGNALLED: the
 * lost wake-up the stress test must catch.
 *
 * Give up (timeout, interrupt), still without the lock: the waiter CASes REGISTERED/SLEEPING → WITHDRAWN
 * and, if that succeeded, waiting - 1: from then on no signal picks the slot, so a waiter that gave up
 * while another thread held the lock (and so cannot finish yet) absorbs no signal sent meanwhile; the
 * signal goes to a live waiter. If the CAS finds SIGNALLED, the signal came first: the wait counts as
 * signalled (an interrupt then is reported by status, as java.util.concurrent does). Exactly one of the
 * signaller's CAS and the waiter's CAS takes a slot out of REGISTERED/SLEEPING, and that one decrements
 * waiting, so the count stays exact whichever wins.
 *
 * Finish (under the lock again, after the wait): SIGNALLED (it consumed its signal) or WITHDRAWN → FREE;
 * a slot still REGISTERED/SLEEPING (a wait that never began: the lock's release failed) is CASed to FREE,
 * waiting - 1. Slots are reused only once FREE, i.e. after finish. Dead waiters: a signal skips (and
 * frees) slots whose owner is dead (OwnerWord.isDead, a cached pidfd poll); registration that finds no
 * FREE slot frees slots of dead owners first, whatever their state (a waiter killed after withdrawing, or
 * after taking a signal, while it waited to retake the lock). A signaller that died mid-signal leaves at
 * worst a slot SIGNALLED without a wake: its waiter sees it within one slice.
 */
public final class SharedCondition {
    public static final int SLOTS = 128;
    private static final long NEXT_TICKET = 0;
    private static final long WAITING = 8;
    private static final long TABLE = 64;
    private static final long SLOT_BYTES = 32;
    private static final long OWNER = 8;
    private static final long TICKET = 16;
    /** Bytes of shared memory the condition takes. */
    public static final long BYTES = TABLE + SLOTS * SLOT_BYTES;

    static final int FREE = 0;
    static final int REGISTERED = 1;
    static final int SLEEPING = 2;
    static final int SIGNALLED = 3;
    static final int WITHDRAWN = 4;

    private final MemorySegment segment;
    private final long base;
    /**
     * The slots of threads waiting through this instance (this process's mapping), from register to finish:
     * {@link #withdrawForClose} withdraws them, so that a waiter whose mapping is closed under it leaves no
     * registered slot behind for another process's signal to be lost on.
     */
    private final AtomicLongArray mine = new AtomicLongArray(SLOTS / 64);

    public SharedCondition(MemorySegment segment, long base) {
        this.segment = segment;
        this.base = base;
    }

    /**
     * Registers the current thread as a waiter (caller holds the lock) and returns its slot.
     *
     * @throws IllegalStateException if {@value #SLOTS} live threads already wait
     */
    public int register() {
        int slot = claimFreeSlot();
        if (slot < 0) {
            freeDeadSlots();
            slot = claimFreeSlot();
        }
        if (slot < 0) {
            throw new IllegalStateException("more than " + SLOTS + " threads wait on one condition");
        }
        long s = slotOffset(slot);
        long ticket = (long) LONG.getVolatile(segment, base + NEXT_TICKET);
        LONG.setVolatile(segment, base + NEXT_TICKET, ticket + 1);
        LONG.setVolatile(segment, s + OWNER, OwnerWord.SELF);
        LONG.setVolatile(segment, s + TICKET, ticket);
        ignore((int) INT.getAndAdd(segment, base + WAITING, 1));
        mine.getAndAccumulate(slot >>> 6, 1L << (slot & 63), (bits, bit) -> bits | bit); // NOTE: a bit per slot
        // NOTE: the state last: a signaller picks only slots whose owner and ticket are written.
        INT.setRelease(segment, s, REGISTERED);
        return slot;
    }

    /**
     * Waits (without the lock) until the slot is signalled or {@code deadline} passes, or an interrupt
     * if {@code interruptible}. A waiter that gives up withdraws its slot before returning, so no later
     * signal picks it; {@link #finish} frees the slot either way.
     *
     * @return true if signalled (also when a signal came just before giving up: it was consumed); false if
     *         the deadline passed or it was interrupted (the caller reads the interrupt status) and it
     *         withdrew unsignalled
     * @throws org.multiprocessing4j.ManagerUnavailableException if the manager that made the condition is gone
     *         (the slot withdrew unsignalled first)
     */
    public boolean await(int slot, long deadline, boolean interruptible) {
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            long s = slotOffset(slot);
            long spinEnd = Math.min(System.nanoTime() + Waits.SPIN_NANOS, deadline);
            for (int look = 0; (int) INT.getVolatile(segment, s) == REGISTERED && System.nanoTime() - spinEnd < 0; look++) {
                SpinPause.pause(look);
            }
            long slice = Waits.FIRST_SLICE_NANOS;
            for (;;) {
                int state = (int) INT.getVolatile(segment, s);
                if (state == SIGNALLED) {
                    return true;
                }
                if (state == WITHDRAWN) { // NOTE: by withdrawForClose: only this waiter withdraws otherwise, and returns
                    throw new IllegalStateException(CLOSED_UNDER);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || interruptible && Thread.currentThread().isInterrupted()) {
                    return !withdraw(s);
                }
                if (state == REGISTERED) {
                    if (SyncWeakening.CONDITION_PLAIN_SLEEP) {
                        // NOTE: the weakened variant also widens its window (the look above, then the store), so that
                        // the stress run catches the race within its budget even on a loaded machine, where its steps
                        // are few and rarely meet in a window of a few instructions (3 runs of 20 s missed it there)
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                        INT.set(segment, s, SLEEPING); // weakened: may overwrite SIGNALLED
                    } else if (!INT.compareAndSet(segment, s, REGISTERED, SLEEPING)) {
                        continue; // signalled meanwhile
                    }
                }
                try {
                    Futex.await(segment, s, SLEEPING, Math.min(remaining, slice));
                } catch (ManagerUnavailableException gone) {
                    // NOTE: the manager that made the condition is gone: the waiter gives up as on a timeout, before
                    // it waits to take the lock back (another thread may hold it), so no signal sent meanwhile is
                    // absorbed by a wait that ended; a signal that came first is the wait's outcome
                    if (!withdraw(s)) {
                        return true;
                    }
                    throw gone;
                }
                slice = Waits.nextSlice(slice);
            }
        } catch (IllegalStateException e) {
            try {
                withdraw(slotOffset(slot)); // NOTE: best effort, if still mapped: no signal is to be lost on this slot
            } catch (IllegalStateException unmapped) {
                // withdrawForClose did it before the unmapping, or the slot is left to a signal (as before)
            }
            throw Waits.closedUnder(segment, "the condition", e);
        }
    }

    private static final String CLOSED_UNDER = "the condition was closed in this process while this thread waited on it";

    /**
     * Before this process's mapping is closed: withdraws the slots of the threads still waiting through this
     * instance, and wakes them (they then throw {@link IllegalStateException}). A signal sent afterwards by
     * another process goes to a live waiter of its own instead of to a slot nobody will ever consume.
     */
    public void withdrawForClose() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if ((mine.get(slot >>> 6) & 1L << (slot & 63)) != 0) {
                long s = slotOffset(slot);
                withdraw(s);
                Futex.wake(segment, s, 1);
            }
        }
    }

    /** Gives up the wait of slot {@code s}: true if it withdrew, false if a signal had taken it first. */
    private boolean withdraw(long s) {
        for (;;) {
            int state = (int) INT.getVolatile(segment, s);
            if (state == SIGNALLED) {
                return false;
            }
            if (state != REGISTERED && state != SLEEPING) {
                return true; // NOTE: withdrawn already (by withdrawForClose): nothing to undo
            }
            if (INT.compareAndSet(segment, s, state, WITHDRAWN)) {
                ignore((int) INT.getAndAdd(segment, base + WAITING, -1));
                return true;
            }
        }
    }

    /**
     * Ends a wait (caller holds the lock again): frees the slot.
     *
     * @return true if the waiter was signalled (it consumed that signal), false if it withdrew unsignalled
     */
    public boolean finish(int slot) {
        mine.getAndAccumulate(slot >>> 6, 1L << (slot & 63), (bits, bit) -> bits & ~bit);
        long s = slotOffset(slot);
        for (;;) {
            int state = (int) INT.getVolatile(segment, s);
            if (state == SIGNALLED || state == WITHDRAWN || state == FREE) {
                INT.setRelease(segment, s, FREE);
                return state == SIGNALLED;
            }
            if (INT.compareAndSet(segment, s, state, FREE)) { // NOTE: a wait that never began (the lock's release failed)
                ignore((int) INT.getAndAdd(segment, base + WAITING, -1));
                return false;
            }
        }
    }

    /**
     * Wakes up to {@code n} waiters, oldest first, skipping those whose process died (caller holds the lock).
     *
     * @return how many were signalled
     */
    public int signal(int n) {
        int signalled = 0;
        while (signalled < n && (int) INT.getVolatile(segment, base + WAITING) > 0) {
            int oldest = oldestWaiting();
            if (oldest < 0) {
                break;
            }
            long s = slotOffset(oldest);
            long owner = (long) LONG.getVolatile(segment, s + OWNER);
            if (OwnerWord.isDead(owner)) {
                freeDead(s); // a dead waiter: it absorbs no signal
                continue;
            }
            int before;
            do {
                before = (int) INT.getVolatile(segment, s);
            } while ((before == REGISTERED || before == SLEEPING) && !INT.compareAndSet(segment, s, before, SIGNALLED));
            if (before != REGISTERED && before != SLEEPING) {
                continue; // withdrew meanwhile (timeout, interrupt): not counted, the next oldest gets the signal
            }
            ignore((int) INT.getAndAdd(segment, base + WAITING, -1));
            if (before == SLEEPING) {
                Futex.wake(segment, s, 1);
            }
            signalled++;
        }
        return signalled;
    }

    /** Waiters registered now (a snapshot, for tests). */
    public int waiting() {
        return (int) INT.getVolatile(segment, base + WAITING);
    }

    private int oldestWaiting() {
        int oldest = -1;
        long oldestTicket = Long.MAX_VALUE;
        for (int i = 0; i < SLOTS; i++) {
            long s = slotOffset(i);
            int state = (int) INT.getAcquire(segment, s);
            if (state == REGISTERED || state == SLEEPING) {
                long ticket = (long) LONG.getVolatile(segment, s + TICKET);
                if (ticket < oldestTicket) {
                    oldestTicket = ticket;
                    oldest = i;
                }
            }
        }
        return oldest;
    }

    private int claimFreeSlot() {
        for (int i = 0; i < SLOTS; i++) {
            if ((int) INT.getVolatile(segment, slotOffset(i)) == FREE) {
                return i;
            }
        }
        return -1;
    }

    /** Frees the slots of dead owners, whatever their state (caller holds the lock). */
    private void freeDeadSlots() {
        for (int i = 0; i < SLOTS; i++) {
            long s = slotOffset(i);
            if ((int) INT.getVolatile(segment, s) != FREE && OwnerWord.isDead((long) LONG.getVolatile(segment, s + OWNER))) {
                freeDead(s);
            }
        }
    }

    /** Frees slot {@code s} of a dead owner, which changes it no more; only REGISTERED/SLEEPING still count as waiting. */
    private void freeDead(long s) {
        int state = (int) INT.getAndSet(segment, s, FREE);
        if (state == REGISTERED || state == SLEEPING) {
            ignore((int) INT.getAndAdd(segment, base + WAITING, -1));
        }
    }

    private static void ignore(int previous) {
        // the result of an atomic add whose old value is not needed (the VarHandles are invoke-exact)
    }

    private long slotOffset(int slot) {
        return base + TABLE + slot * SLOT_BYTES;
    }
}
