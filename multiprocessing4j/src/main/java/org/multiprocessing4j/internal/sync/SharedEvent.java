package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;

import java.lang.foreign.MemorySegment;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * A flag across processes that threads can wait for (Python's {@code Event}) on {@value #BYTES} bytes of
 * a shared mapping; zero bytes are a cleared event.
 *
 * <pre>
 *  +0 state (int): generation << 1 | set bit; the futex word
 *  +4 sleepers (int)
 * </pre>
 * Every {@link #set()} of a cleared event advances the generation, so a waiter that read generation g
 * returns true once it sees another generation, even if the event was cleared again before it woke
 * (Python's rule: {@code wait} returns true if {@code set} happened while it waited). Thread-safe.
 */
/*
 * Implementation notes: the sleeper registers (sleepers += 1, atomic), reads the state w, returns if the
 * set bit is on, else FUTEX_WAITs on w; set() CASes the state (a full barrier) and wakes all if the
 * sleeper count is non-zero. A set between the read and the sleep changes the word (EAGAIN); a set
 * before the registration is seen by the read; a set between the two finds the registration. No owner:
 * a process that dies while waiting only leaves the sleeper count one too high (a needless wake).
 */
public final class SharedEvent {
    public static final long BYTES = 8;
    private static final long STATE = 0;
    private static final long SLEEPERS = 4;

    private final MemorySegment segment;
    private final long state;
    private final long sleepers;

    public SharedEvent(MemorySegment segment, long offset) {
        this.segment = segment;
        this.state = offset + STATE;
        this.sleepers = offset + SLEEPERS;
    }

    public boolean isSet() {
        return ((int) INT.getVolatile(segment, state) & 1) != 0;
    }

    /** Sets the flag and wakes every waiter; no effect if already set. */
    public void set() {
        for (;;) {
            int w = (int) INT.getVolatile(segment, state);
            if ((w & 1) != 0) {
                return;
            }
            if (INT.compareAndSet(segment, state, w, ((w >>> 1) + 1) << 1 | 1)) {
                break;
            }
        }
        if ((int) INT.getVolatile(segment, sleepers) != 0) {
            Futex.wake(segment, state, Integer.MAX_VALUE);
        }
    }

    /** Clears the flag; no effect if already clear. */
    public void clear() {
        for (;;) {
            int w = (int) INT.getVolatile(segment, state);
            if ((w & 1) == 0 || INT.compareAndSet(segment, state, w, w & ~1)) {
                return;
            }
        }
    }

    /**
     * Waits until the flag is set, or was set while waiting, or {@code deadline} passes.
     *
     * @return true if set (now or during the wait), false on timeout
     * @throws InterruptedException if interrupted on entry or while waiting; nothing stays registered
     */
    public boolean await(long deadline) throws InterruptedException {
        // NOTE: memory closed under this wait (another thread closed the object) fails with a message that says so
        try {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            int start = (int) INT.getVolatile(segment, state);
            if ((start & 1) != 0) {
                return true;
            }
            long spinEnd = System.nanoTime() + Waits.SPIN_NANOS;
            long slice = Waits.FIRST_SLICE_NANOS;
            for (int look = 0; ; look++) {
                long now = System.nanoTime();
                if (now - spinEnd < 0 && now - deadline < 0) {
                    SpinPause.pause(look);
                    if ((int) INT.getVolatile(segment, state) != start) {
                        return true;
                    }
                    continue;
                }
                long remaining = deadline - now;
                if (remaining <= 0) {
                    return (int) INT.getVolatile(segment, state) != start;
                }
                // NOTE: register before reading the state; pairs with the CAS (full barrier) in set().
                int ignored = (int) INT.getAndAdd(segment, sleepers, 1);
                try {
                    if ((int) INT.getVolatile(segment, state) != start) {
                        return true;
                    }
                    Futex.await(segment, state, start, Math.min(remaining, slice));
                } finally {
                    ignored = (int) INT.getAndAdd(segment, sleepers, -1);
                }
                if ((int) INT.getVolatile(segment, state) != start) {
                    return true;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                slice = Waits.nextSlice(slice);
            }
        } catch (IllegalStateException e) {
            throw Waits.closedUnder(segment, "the event", e);
        }
    }
}
