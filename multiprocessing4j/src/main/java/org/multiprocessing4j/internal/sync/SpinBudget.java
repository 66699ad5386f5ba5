package org.multiprocessing4j.internal.sync;

/**
 * How long a waiter of one primitive spins before it sleeps on the futex, adapted to what spinning
 * achieved (the rule of {@code internal.ring}'s RingEnd): a spin that saw the condition grows the budget
 * by half (up to {@value #MAX_NANOS} ns); a spin that failed halves it (down to {@value #MIN_NANOS} ns), so
 * when the peer cannot run meanwhile (both on one CPU, or the CPU taken by another job) spinning stops
 * burning the time the peer needs; a sleep that ended within {@value #RECOVER_NANOS} ns shows a spin of
 * twice that would have caught it, and raises the budget to that.
 *
 * <p>One per primitive per process; updated by every waiting thread without synchronization (a lost
 * update only costs one less adaptation step).
 */
final class SpinBudget {
    static final long MIN_NANOS = 1_000;
    static final long MAX_NANOS = 50_000;
    static final long RECOVER_NANOS = 10_000;

    private long nanos = Waits.SPIN_NANOS;

    /** The current budget. */
    long nanos() {
        return nanos;
    }

    /** The spin saw the condition. */
    void succeeded() {
        nanos = Math.min(MAX_NANOS, nanos + (nanos >> 1));
    }

    /** The spin ran out; the waiter goes to sleep. */
    void failed() {
        nanos = Math.max(MIN_NANOS, nanos >> 1);
    }

    /** A wait that slept ended {@code waitedNanos} after it began. */
    void slept(long waitedNanos) {
        if (waitedNanos < RECOVER_NANOS) {
            nanos = Math.max(nanos, Math.min(RECOVER_NANOS, 2 * waitedNanos));
        }
    }
}
