package org.multiprocessing4j.internal.sync;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * The timing rules every wait of this package follows: a short spin before the first sleep, then futex
 * sleeps in bounded slices (20 ms doubling to 100 ms) so that a lost wake-up, a dead peer or an interrupt
 * is noticed within one slice; and one deadline from {@code System.nanoTime()}.
 */
public final class Waits {
    static final long SPIN_NANOS = 20_000;
    static final long FIRST_SLICE_NANOS = SyncWeakening.NO_SAFETY_NET ? SyncWeakening.LONG_SLICE_NANOS
            : TimeUnit.MILLISECONDS.toNanos(20);
    static final long MAX_SLICE_NANOS = SyncWeakening.NO_SAFETY_NET ? SyncWeakening.LONG_SLICE_NANOS
            : TimeUnit.MILLISECONDS.toNanos(100);
    /** "Forever" as a relative wait: 2^62 ns, about 146 years, so deadline arithmetic cannot overflow. */
    public static final long FOREVER_NANOS = 1L << 62;

    private Waits() {
    }

    /** The deadline {@code timeout} from now; zero or negative gives a deadline already past. */
    public static long deadline(Duration timeout) {
        return System.nanoTime() + Timeouts.nanos(timeout);
    }

    /** The deadline {@code nanos} from now, saturated. */
    public static long deadlineIn(long nanos) {
        return System.nanoTime() + Math.max(-FOREVER_NANOS, Math.min(FOREVER_NANOS, nanos));
    }

    /** A deadline that never comes. */
    public static long never() {
        return System.nanoTime() + FOREVER_NANOS;
    }

    /**
     * What a wait throws when its shared memory fails under it: if {@code segment} was closed (by another
     * thread of this process closing the object while this one waited, which unmaps it once no thread is
     * inside a futex call), an {@link IllegalStateException} saying so; the JDK's own says only "Already
     * closed". Any other failure is {@code failure} itself.
     */
    static IllegalStateException closedUnder(MemorySegment segment, String what, IllegalStateException failure) {
        if (segment.scope().isAlive() && !SharedFile.isClosing(segment)) {
            return failure;
        }
        return new IllegalStateException(what + " was closed in this process while this thread waited on it", failure);
    }

    static long nextSlice(long slice) {
        return Math.min(MAX_SLICE_NANOS, slice << 1);
    }
}
