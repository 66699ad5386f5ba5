package org.multiprocessing4j.hazelcast.internal;

import java.time.Duration;

/**
 * Timeout arithmetic that saturates instead of overflowing (the core's rule, for this module): a timeout
 * of centuries, {@code ChronoUnit.FOREVER} or {@code Long.MAX_VALUE} of any unit waits without a limit in
 * practice instead of failing or returning at once. Stateless.
 */
public final class Saturating {
    /** 2^62 ns, about 146 years: {@code System.nanoTime()} plus it cannot overflow. */
    static final long MAX_NANOS = 1L << 62;

    private Saturating() {
    }

    /** {@code timeout} in nanoseconds, within ±2^62. */
    public static long nanos(Duration timeout) {
        try {
            return Math.max(-MAX_NANOS, Math.min(MAX_NANOS, timeout.toNanos()));
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? -MAX_NANOS : MAX_NANOS;
        }
    }

    /** {@code timeout} in milliseconds, within ±2^62 ns. */
    public static long millis(Duration timeout) {
        return nanos(timeout) / 1_000_000;
    }

    /** The {@code System.nanoTime()} value {@code nanos} from now (zero or negative: now), without overflow. */
    static long deadline(long nanos) {
        return System.nanoTime() + Math.min(Math.max(0, nanos), MAX_NANOS);
    }
}
