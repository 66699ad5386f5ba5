package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.multiprocessing4j.internal.futex.Futex;

/**
 * A cross-process condition on two words of a shared mapping, a sequence and a sleeper count: threads in
 * any process {@link #await} until a condition they re-read from shared memory holds; whoever changes
 * that state calls {@link #signal()}. Thread-safe; holds no state of its own beyond the two offsets.
 */
/*
 * Implementation notes
 *
 * The Dekker handshake of RingEnd (internal.ring), unchanged:
 *   sleeper: sleepers += 1 (atomic, full fence) ; s = sequence (volatile) ; if ready() → done
 *            else FUTEX_WAIT(sequence, s, slice) ; sleepers -= 1
 *   waker:   publish (release store) ; fullFence ; if sleepers != 0 → sequence += 1 ; FUTEX_WAKE(all)
 * Either the waker sees the sleeper registered and bumps the sequence (so FUTEX_WAIT returns at once or
 * is woken), or the sleeper's re-check sees what was published. Every sleep is a bounded slice (20 ms,
 * doubling to 100 ms), so a lost wake costs at most one slice, and the interrupt flag and the caller's
 * cancellation check run before every slice. Spinning is short (SPIN_NANOS) and only before the first
 * sleep: a blocked waiter burns no CPU beyond ten wake-ups a second.
 */
final class FutexCondition {
    static final long FIRST_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final long MAX_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long SPIN_NANOS = 20_000;

    /** Why a wait ended early: the caller's object was closed. */
    interface Cancellation {
        /** Throws if the wait must end now (its queue was closed in this process). */
        void check();
    }

    private final MemorySegment file;
    private final long sequence;
    private final long sleepers;

    FutexCondition(MemorySegment file, long sequence, long sleepers) {
        this.file = file;
        this.sequence = sequence;
        this.sleepers = sleepers;
    }

    /**
     * Waits until {@code ready} holds (true) or {@code deadline}, a {@code System.nanoTime()} value,
     * passes (false: {@code ready} was false at the last look).
     *
     * @throws InterruptedException if interrupted before a sleep slice; the registration is undone first
     */
    boolean await(BooleanSupplier ready, long deadline, Cancellation cancellation) throws InterruptedException {
        long spinEnd = System.nanoTime() + SPIN_NANOS;
        for (;;) {
            if (ready.getAsBoolean()) {
                return true;
            }
            long now = System.nanoTime();
            if (now - spinEnd >= 0 || now - deadline >= 0) {
                break;
            }
            Thread.onSpinWait();
        }
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
            // NOTE: register before reading the sequence and re-checking; pairs with signal's fence.
            int ignored = (int) INT.getAndAdd(file, sleepers, 1);
            try {
                int s = (int) INT.getVolatile(file, sequence);
                if (ready.getAsBoolean()) {
                    return true;
                }
                Futex.await(file, sequence, s, Math.min(remaining, slice));
            } finally {
                ignored = (int) INT.getAndAdd(file, sleepers, -1);
            }
            slice = Math.min(MAX_SLICE_NANOS, slice << 1);
        }
    }

    /** Wakes every sleeper, if any; call after the release store that changed the state. */
    void signal() {
        // NOTE: store→load: the publication must be visible before we read the sleeper count.
        VarHandle.fullFence();
        if ((int) INT.getVolatile(file, sleepers) != 0) {
            wakeAll();
        }
    }

    /** Wakes every sleeper unconditionally (close: they re-check their cancellation). */
    void wakeAll() {
        int ignored = (int) INT.getAndAdd(file, sequence, 1);
        Futex.wake(file, sequence, Integer.MAX_VALUE);
    }
}
