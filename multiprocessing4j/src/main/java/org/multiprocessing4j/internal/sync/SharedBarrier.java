package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * A cyclic barrier across processes (Python's {@code Barrier}) whose passes are numbered generations:
 * waiters of a generation wait for it to end, by a trip (everyone passes) or a break. No party has to
 * leave before the next pass can start, so a party that dies while waiting blocks nobody (CPython's
 * barrier waits for every waiter to drain before the next pass).
 *
 * <pre>
 *   +0 mutex: RobustLock (16 bytes)   guards every field below
 *  +16 phase (long)     generation (32 bits) | state (2 bits) | parties arrived (30 bits): written whole
 *                       state FILLING 0, ACTION 1 (the last party runs the action), BROKEN 2,
 *                       ACTION_BROKEN_NEXT 3 (ACTION, and the pass after it starts broken)
 *  +24 parties (int)
 *  +28 signal (int)     futex word: bumped after every trip, break and reset
 *  +32 runner (long)    OwnerWord of the party running the action
 *  +40 outcomes (long)  bit (g mod 64) set if generation g was broken, cleared if it tripped; written
 *                       before the phase store that ends g
 * </pre>
 * Thread-safe.
 */
/*
 * Implementation notes
 *
 * Arrival (under the mutex): index = arrived; the phase becomes (g, FILLING, arrived + 1). The last party
 * either trips at once (outcome bit of g cleared, then phase (g + 1, FILLING, 0)) or, with an action,
 * records itself as runner, sets (g, ACTION, parties), releases the mutex, runs the action, and trips (or
 * breaks g if the action threw) under the mutex again. Others read the signal word s, release the mutex
 * and FUTEX_WAIT(signal, s): every change bumps the signal under the mutex, so a change after the read
 * makes the kernel return at once. After each wake or slice a waiter re-examines under the mutex: the
 * generation still g and BROKEN → BrokenBarrierException; the generation past g → its outcome bit says
 * passed or broken (reset ends g as broken, unless a live runner runs g's action: see below); ACTION (or
 * ACTION_BROKEN_NEXT) with a dead runner → it breaks g. A waiter that times out or is interrupted breaks g
 * itself. The outcome bits remember 64 generations: a waiter that sleeps through 64 passes of the others
 * could misread its own (only possible with more threads than parties).
 *
 * Arrival during ACTION (more threads than parties): the arrival is not a party of g, so it registers
 * nothing; it waits in the same signal/slice protocol and after each slice, under the mutex, checks what
 * a waiter of g checks: a dead runner → it breaks g (otherwise nobody of g is left to notice and the
 * arrival would wait forever); its own interrupt or deadline → it breaks the barrier for the next pass,
 * not g (whose parties all arrived in time): ACTION becomes ACTION_BROKEN_NEXT, and the runner's trip then
 * ends g as passed and stores (g + 1, BROKEN, 0) (outcome bits of g and g + 1 written before it). An
 * arrival that finds ACTION_BROKEN_NEXT, like one that finds BROKEN, fails at once; abort treats it as
 * ACTION. CPython cannot time out there at all (its action runs under the condition's lock and its _enter
 * waits without a timeout), so it has no rule to follow.
 *
 * Reset during ACTION (or ACTION_BROKEN_NEXT) with a live runner: CPython's and CyclicBarrier's reset take
 * the lock the action runs under, so they act after the trip, on a barrier already back to its initial
 * state: the pass completes. Here reset stores (g, ACTION, parties): the runner's trip ends g as passed
 * and starts g + 1 whole, and arrivals keep waiting behind the action meanwhile (no signal bump needed:
 * nothing they wait for changed). With a dead runner, reset ends g as broken as in any other state.
 *
 * Death inside the mutex: every transition is completed by the one store of the phase (bits written
 * before it only matter once the phase moves), so a process that dies mid-transition leaves the previous
 * state; a last party that dies before its store simply never arrived. A recoverer (RECOVERED) breaks an
 * ACTION whose runner is dead, bumps the signal and wakes everyone.
 */
public final class SharedBarrier {
    public static final long BYTES = 48;
    /** The largest number of parties the phase word can count. */
    public static final int MAX_PARTIES = (1 << 30) - 1;
    private static final long MUTEX = 0;
    private static final long PHASE = 16;
    private static final long PARTIES = 24;
    private static final long SIGNAL = 28;
    private static final long RUNNER = 32;
    private static final long OUTCOMES = 40;

    private static final int FILLING = 0;
    private static final int ACTION = 1;
    private static final int BROKEN = 2;
    private static final int ACTION_BROKEN_NEXT = 3;

    /** How an await ended. */
    public enum Outcome {
        /** The barrier tripped: the caller passes with its arrival index. */
        PASSED,
        /** The generation was broken (by another party, abort, reset or a dead action runner). */
        BROKEN,
        /** This caller's deadline passed: it broke the generation (arriving while the action ran: the next one). */
        TIMED_OUT,
        /** This caller was interrupted: it broke the generation (arriving while the action ran: the next one). */
        INTERRUPTED
    }

    /** What the last party runs between the arrival of all and the trip. */
    public interface Action {
        void run();
    }

    private final MemorySegment segment;
    private final long base;
    private final RobustLock mutex;

    public SharedBarrier(MemorySegment segment, long base) {
        this.segment = segment;
        this.base = base;
        this.mutex = new RobustLock(segment, base + MUTEX);
    }

    /** Writes the initial state into zeroed memory nobody else sees yet. */
    public static void initialize(MemorySegment segment, long base, int parties) {
        segment.set(ValueLayout.JAVA_INT, base + PARTIES, parties);
    }

    /**
     * Arrives and waits until the generation trips or breaks, or {@code deadline} passes.
     *
     * @param action run by the last party before the trip; null for none
     * @param index receives the arrival index (0 for the first party of a pass)
     * @throws RuntimeException or Error that the action threw (the generation is then broken)
     */
    public Outcome await(Action action, long deadline, int[] index) {
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            int generation;
            int signal = 0;
            boolean runsAction = false;
            enter();
            boolean held = true; // NOTE: false while out of the mutex: a re-entry that failed (its owner gone while another
            // thread or process held the mutex) must not release a hold that is not this thread's
            try {
                long slice = Waits.FIRST_SLICE_NANOS;
                long phase;
                while (state(phase = phase()) == ACTION) {
                    // more parties than the barrier has, arriving while the last runs the action: wait for the trip
                    if (OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))) {
                        breakIfCurrent(generation(phase)); // NOTE: no party of g may be left to notice the death
                        return Outcome.BROKEN;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        breakNext(phase);
                        return Outcome.INTERRUPTED;
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        breakNext(phase);
                        return Outcome.TIMED_OUT;
                    }
                    signal = get(SIGNAL);
                    held = false;
                    mutex.unlock();
                    Futex.await(segment, base + SIGNAL, signal, Math.min(remaining, slice));
                    slice = Waits.nextSlice(slice);
                    enter();
                    held = true;
                }
                if (state(phase) != FILLING) {
                    return Outcome.BROKEN; // BROKEN, or ACTION_BROKEN_NEXT: the pass this arrival would join is broken
                }
                generation = generation(phase);
                int arrived = arrived(phase);
                index[0] = arrived;
                if (arrived + 1 == get(PARTIES)) {
                    if (action == null) {
                        endGeneration(generation, false, false);
                        return Outcome.PASSED;
                    }
                    LONG.setVolatile(segment, base + RUNNER, OwnerWord.SELF);
                    setPhase(generation, ACTION, arrived + 1);
                    runsAction = true;
                } else {
                    setPhase(generation, FILLING, arrived + 1);
                    signal = get(SIGNAL); // NOTE: read under the mutex, before the last party can bump it
                }
            } finally {
                if (held) {
                    mutex.unlock();
                }
            }
            if (runsAction) {
                return runAction(action, generation);
            }
            if (SyncWeakening.BARRIER_LATE_READ) {
                signal = get(SIGNAL); // weakened: a trip between the unlock and this read is missed
            }
            return awaitEnd(generation, signal, deadline);
        } catch (IllegalStateException e) {
            throw Waits.closedUnder(segment, "the barrier", e);
        }
    }

    private Outcome runAction(Action action, int generation) {
        try {
            action.run();
        } catch (Throwable e) { // NOTE: also a checked exception thrown undeclared (Kotlin, Scala, sneaky throws)
            // that would otherwise leave the pass in ACTION with a live runner: every party waiting for ever
            enter();
            try {
                breakIfCurrent(generation);
            } finally {
                mutex.unlock();
            }
            throw e;
        }
        enter();
        try {
            long phase = phase();
            if (generation(phase) != generation || !runningAction(state(phase))) {
                return Outcome.BROKEN; // reset or aborted while the action ran
            }
            endGeneration(generation, false, state(phase) == ACTION_BROKEN_NEXT);
            return Outcome.PASSED;
        } finally {
            mutex.unlock();
        }
    }

    private Outcome awaitEnd(int generation, int signal, long deadline) {
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            long slice = Waits.FIRST_SLICE_NANOS;
            long spinEnd = Math.min(System.nanoTime() + Waits.SPIN_NANOS, deadline);
            for (int look = 0; get(SIGNAL) == signal && System.nanoTime() - spinEnd < 0 && !SyncWeakening.BARRIER_LATE_READ; look++) {
                SpinPause.pause(look);
            }
            boolean outwaitedByAction = false; // its deadline passed while the pass's action ran
            for (;;) {
                long remaining = outwaitedByAction ? slice : deadline - System.nanoTime();
                if ((SyncWeakening.BARRIER_LATE_READ || get(SIGNAL) == signal) && remaining > 0
                        && !Thread.currentThread().isInterrupted()) {
                    Futex.await(segment, base + SIGNAL, signal, Math.min(remaining, slice));
                    slice = Waits.nextSlice(slice);
                }
                enter();
                try {
                    signal = get(SIGNAL);
                    long phase = phase();
                    if (generation(phase) != generation) {
                        long outcomes = (long) LONG.getVolatile(segment, base + OUTCOMES);
                        return (outcomes & bit(generation)) != 0 ? Outcome.BROKEN : Outcome.PASSED;
                    }
                    if (state(phase) == BROKEN) {
                        return Outcome.BROKEN;
                    }
                    if (runningAction(state(phase)) && OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))) {
                        breakIfCurrent(generation);
                        return Outcome.BROKEN;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        breakIfCurrent(generation);
                        return Outcome.INTERRUPTED;
                    }
                    if (deadline - System.nanoTime() <= 0) {
                        if (runningAction(state(phase))) {
                            // NOTE: every party arrived in time: the pass's outcome is its action's, whatever this deadline
                            // says (CPython's party cannot wake before the action ends, and then passes); a dead runner or
                            // an interrupt still ends the wait (checked above, each slice)
                            outwaitedByAction = true;
                            continue;
                        }
                        breakIfCurrent(generation);
                        return Outcome.TIMED_OUT;
                    }
                } finally {
                    mutex.unlock();
                }
            }
        } catch (IllegalStateException e) {
            throw Waits.closedUnder(segment, "the barrier", e);
        }
    }

    /** Breaks the barrier: every party waiting now, and every later arrival until {@link #reset}, fails. */
    public void abort() {
        enter();
        try {
            breakIfCurrent(generation(phase()));
        } finally {
            mutex.unlock();
        }
    }

    /**
     * An arrival whose thread is already interrupted: it breaks what it would have joined, as an arrival
     * interrupted while waiting does (CyclicBarrier's rule): the current pass, or, while an action runs
     * (the pass it would join is the next one), the next pass.
     */
    public void breakByInterruptedArrival() {
        enter();
        try {
            long phase = phase();
            switch (state(phase)) {
                case FILLING -> breakIfCurrent(generation(phase));
                case ACTION -> {
                    if (OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))) {
                        breakIfCurrent(generation(phase));
                    } else {
                        breakNext(phase);
                    }
                }
                default -> { } // BROKEN, or ACTION_BROKEN_NEXT: what it would join is broken already
            }
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Back to the initial state: parties waiting now fail, later arrivals start a new pass. While a live
     * runner runs the action, the pass completes instead (see the notes) and the pass after it is whole.
     */
    public void reset() {
        enter();
        try {
            long phase = phase();
            if (runningAction(state(phase)) && !OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))) {
                // NOTE: every party of g arrived and its action runs: CPython's and CyclicBarrier's reset wait for the
                // action (it runs under their lock), whose trip then leaves the initial state. Ending g here instead
                // broke a pass whose parties all arrived, and let new arrivals form g + 1 and run its action while
                // g's still ran. So the trip stays the action's; reset only undoes a break of the next pass. No signal
                // bump: arrivals behind the action keep waiting for its trip.
                setPhase(generation(phase), ACTION, arrived(phase));
                return;
            }
            endGeneration(generation(phase), true, false);
        } finally {
            mutex.unlock();
        }
    }

    /**
     * True while later arrivals fail at once: broken, or the pass after the running action is, or the action's
     * runner died (the next waiter or arrival breaks the pass; this answers so before anyone has looked).
     */
    public boolean isBroken() {
        int state = state(phase());
        return state == BROKEN || state == ACTION_BROKEN_NEXT
                || state == ACTION && OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER));
    }

    /** Parties of the current pass that arrived (all of them while the action runs; 0 while broken). */
    public int waiting() {
        long phase = phase();
        // NOTE: during the action as CPython's n_waiting, whose count includes every party until the trip; a dead
        // runner's pass reads as broken (as isBroken says)
        int state = state(phase);
        return state == BROKEN || runningAction(state) && OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))
                ? 0 : arrived(phase);
    }

    public int parties() {
        return get(PARTIES);
    }

    /** Under the mutex: ends {@code generation} as tripped or broken; the next starts empty (and broken if asked). */
    private void endGeneration(int generation, boolean broken, boolean nextBroken) {
        setOutcome(generation, broken);
        if (nextBroken) {
            setOutcome(generation + 1, true);
        }
        setPhase(generation + 1, nextBroken ? BROKEN : FILLING, 0); // NOTE: the store that completes the trip or reset
        bumpSignalAndWake();
    }

    /** Under the mutex, in ACTION: the running pass may still trip, but the one after it starts broken. */
    private void breakNext(long phase) {
        setPhase(generation(phase), ACTION_BROKEN_NEXT, arrived(phase)); // NOTE: the store that completes the break
        bumpSignalAndWake(); // other arrivals waiting for the trip fail at once
    }

    /** Under the mutex: breaks {@code generation} if it is still the current one and not broken yet. */
    private void breakIfCurrent(int generation) {
        long phase = phase();
        if (generation(phase) != generation || state(phase) == BROKEN) {
            return;
        }
        setOutcome(generation, true);
        setPhase(generation, BROKEN, arrived(phase)); // NOTE: the store that completes the break
        bumpSignalAndWake();
    }

    private void setOutcome(int generation, boolean broken) {
        long outcomes = (long) LONG.getVolatile(segment, base + OUTCOMES);
        LONG.setVolatile(segment, base + OUTCOMES, broken ? outcomes | bit(generation) : outcomes & ~bit(generation));
    }

    private void enter() {
        RobustLock.Acquired acquired;
        try {
            acquired = mutex.lock(Waits.never(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
        if (acquired == RobustLock.Acquired.RECOVERED) {
            long phase = phase();
            if (runningAction(state(phase)) && OwnerWord.isDead((long) LONG.getVolatile(segment, base + RUNNER))) {
                breakIfCurrent(generation(phase));
            }
            bumpSignalAndWake();
        }
    }

    private void bumpSignalAndWake() {
        int ignored = (int) INT.getAndAdd(segment, base + SIGNAL, 1);
        Futex.wake(segment, base + SIGNAL, Integer.MAX_VALUE);
    }

    private long phase() {
        return (long) LONG.getVolatile(segment, base + PHASE);
    }

    private void setPhase(int generation, int state, int arrived) {
        LONG.setVolatile(segment, base + PHASE, ((long) generation << 32) | ((long) state << 30) | arrived);
    }

    private static int generation(long phase) {
        return (int) (phase >>> 32);
    }

    private static int state(long phase) {
        return (int) (phase >>> 30) & 3;
    }

    private static boolean runningAction(int state) {
        return state == ACTION || state == ACTION_BROKEN_NEXT;
    }

    private static int arrived(long phase) {
        return (int) phase & MAX_PARTIES;
    }

    private static long bit(int generation) {
        return 1L << (generation & 63);
    }

    private int get(long field) {
        return (int) INT.getVolatile(segment, base + field);
    }
}
