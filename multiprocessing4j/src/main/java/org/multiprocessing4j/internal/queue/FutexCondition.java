package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * A cross-process condition on one futex word of a shared mapping: threads in any process {@link #await}
 * until a condition they re-read from shared memory holds; whoever changes that state calls
 * {@link #signal()}, which costs a fence and one read, and no system call, unless a sleeper is registered
 * and not yet woken. Thread-safe; holds no state of its own beyond the offset.
 *
 * <pre>
 *  word (int) = sequence &lt;&lt; 1 | waiting      the futex word
 * </pre>
 */
/*
 * Implementation notes
 *
 * The word holds a wake sequence (bits 31..1) and a "waiting" bit (bit 0): set by a sleeper before it
 * sleeps, cleared by the waker that wakes it. Protocol:
 *
 *   sleeper: w = word with the waiting bit set (CAS it in if clear), then a full fence
 *            if ready() → done (see "leaving" below)
 *            FUTEX_WAIT(word, w, slice)            returns at once if the word is no longer w
 *   waker:   publish (release store) ; full fence ; v = word
 *            if v has the waiting bit: CAS v → (v + 2) with the bit clear, then FUTEX_WAKE(all)
 *            (a failed CAS re-reads: bit clear → another waker did it; else retry)
 *
 * No lost wake-up: the sleeper's bit store and the waker's publication are each followed by a full fence
 * before the other's read (Dekker): either the waker reads the bit and changes the word (every sleeper on
 * the old value is woken, or returns EAGAIN), or the sleeper's re-check sees the publication. The sequence
 * makes the word differ after every wake, so a sleeper whose wake was taken while it was still on its way
 * into the kernel cannot be fooled by another sleeper having set the bit again: it waits on (old sequence,
 * bit), which the word no longer holds.
 *
 * Why the bit and not a sleeper count (the ring's protocol, and this class's before): a count stays
 * non-zero from the sleeper's registration until it runs again after the wake; on a busy 2-CPU machine
 * that is tens of microseconds, during which every signal issued another FUTEX_WAKE system call (a few
 * microseconds each) although the sleeper was already woken. The waker now clears the bit in the same
 * CAS that bumps the sequence, so a sleep episode costs exactly one FUTEX_WAKE.
 *
 * Leaving without sleeping: a sleeper that finds ready() after setting the bit leaves the bit for the next
 * waker (one needless wake), unless it is the only possible sleeper on this word (soleSleeper: the data
 * and space conditions, whose sleepers hold that side's lock) and it set the bit itself, in which case it
 * CASes the word back. With several possible sleepers that would strip another sleeper's registration.
 * A sleeper killed inside a slice leaves its bit: it costs one needless FUTEX_WAKE, then it is cleared.
 *
 * Every sleep is a bounded slice (20 ms, doubling to 100 ms), so a lost wake costs at most one slice, and
 * the interrupt flag and the caller's cancellation check run before every slice. Spinning is short and
 * only before the first sleep: a blocked waiter burns no CPU beyond ten wake-ups a second. The spin budget
 * adapts as the ring's (RingEnd): 1..50 µs, growing by half when spinning caught the state change and
 * halving when it did not, so a busy hand-off keeps its sub-microsecond latency while, on an oversubscribed
 * machine (where spinning fails and only steals the CPU the other side needs), it collapses by itself. The QueueWeakening switches break this protocol on purpose for the stress tests.
 */
final class FutexCondition {
    static final long FIRST_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final long MAX_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The lock's spin ({@link RobustMutex}) and this condition's first spin budget. */
    static final long SPIN_NANOS = 20_000;
    static final long SPIN_MIN_NANOS = 1_000;
    static final long SPIN_MAX_NANOS = 50_000;
    /** A wait that slept but ended within this raises the spin budget to twice its length (at most this). */
    static final long SPIN_RECOVER_NANOS = 10_000;
    private static final int WAITING = 1;
    private static final int ONE_WAKE = 2;

    /** Why a wait ended early: the caller's object was closed. */
    interface Cancellation {
        /** Throws if the wait must end now (its queue was closed in this process). */
        void check();
    }

    private final MemorySegment file;
    private final long word;
    private final boolean soleSleeper;
    /** This process's spin budget for this word; racy among its threads, which is harmless for a heuristic. */
    private long spinNanos = SPIN_NANOS;

    /**
     * @param soleSleeper true if at most one live thread (of all processes) can be inside {@link #await} on
     *        this word at a time (it holds a lock while it waits); lets a sleeper that did not sleep take
     *        its registration back
     */
    FutexCondition(MemorySegment file, long word, boolean soleSleeper) {
        this.file = file;
        this.word = word;
        this.soleSleeper = soleSleeper;
    }

    /**
     * Waits until {@code ready} holds (true) or {@code deadline}, a {@code System.nanoTime()} value,
     * passes (false: {@code ready} was false at the last look).
     *
     * @throws InterruptedException if interrupted before a sleep slice
     */
    boolean await(BooleanSupplier ready, long deadline, Cancellation cancellation) throws InterruptedException {
        if (ready.getAsBoolean()) {
            return true;
        }
        long start = System.nanoTime();
        long spin = spinNanos;
        long spinEnd = start + spin;
        for (int look = 0; ; look++) {
            long now = System.nanoTime();
            if (now - spinEnd >= 0 || now - deadline >= 0) {
                break;
            }
            SpinPause.pause(look);
            if (ready.getAsBoolean()) {
                spinNanos = Math.min(SPIN_MAX_NANOS, spin + (spin >> 1));
                return true;
            }
        }
        spinNanos = Math.max(SPIN_MIN_NANOS, spin >> 1);
        long slice = FIRST_SLICE_NANOS;
        for (;;) {
            cancellation.check();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return ready.getAsBoolean();
            }
            int before = (int) INT.getVolatile(file, word);
            int waiting = before | WAITING;
            if (before != waiting && !INT.compareAndSet(file, word, before, waiting)) {
                continue; // a waker or another sleeper moved the word: look again
            }
            if (before == waiting) {
                // NOTE: store→load: the bit (set by another) is in the word before we re-check; pairs with
                // signal's fence. When we set it, our CAS was the full fence.
                VarHandle.fullFence();
            }
            if (!QueueWeakening.NO_RECHECK && ready.getAsBoolean()) {
                if (soleSleeper && before != waiting) {
                    // NOTE: only our own registration is taken back, and only if no waker took it meanwhile.
                    boolean ignored = INT.compareAndSet(file, word, waiting, before);
                }
                return sleptButReady(start);
            }
            Futex.await(file, word, waiting, Math.min(remaining, QueueWeakening.NO_SAFETY_NET ? QueueWeakening.LONG_SLICE_NANOS : slice));
            slice = Math.min(MAX_SLICE_NANOS, slice << 1);
            if (ready.getAsBoolean()) {
                return sleptButReady(start);
            }
        }
    }

    /**
     * Ready after giving up spinning. If the whole wait was short (under {@link #SPIN_RECOVER_NANOS}), a
     * spin of twice that would have caught it: raise the budget to that, no further (one preemption must
     * not leave the budget at its floor for good). Longer waits leave it alone: an idle side burns no CPU.
     */
    private boolean sleptButReady(long start) {
        long waited = System.nanoTime() - start;
        if (waited < SPIN_RECOVER_NANOS) {
            spinNanos = Math.max(spinNanos, Math.min(SPIN_RECOVER_NANOS, 2 * waited));
        }
        return true;
    }

    /** Wakes the sleepers, if any are registered; call after the release store that changed the state. */
    void signal() {
        // NOTE: store→load: the publication must be visible before we read the waiting bit.
        VarHandle.fullFence();
        signalAfterFence();
    }

    /**
     * {@link #signal()} for a caller that has just issued the full fence itself, after its release
     * stores ({@link RobustMutex#unlockAndSignal}): no FUTEX_WAKE (no system call) unless the waiting bit
     * is set, and then one for every sleeper registered so far, since the bit is cleared with the wake.
     */
    void signalAfterFence() {
        int w = (int) INT.getVolatile(file, word);
        while ((w & WAITING) != 0) {
            if (INT.compareAndSet(file, word, w, (w & ~WAITING) + ONE_WAKE)) {
                if (!QueueWeakening.SKIP_WAKE) {
                    Futex.wake(file, word, Integer.MAX_VALUE);
                }
                return;
            }
            w = (int) INT.getVolatile(file, word);
        }
    }

    /** Wakes every sleeper unconditionally (close: they re-check their cancellation). */
    void wakeAll() {
        int ignored = (int) INT.getAndAdd(file, word, ONE_WAKE);
        Futex.wake(file, word, Integer.MAX_VALUE);
    }
}
