package org.multiprocessing4j.internal;

import java.time.Duration;

/** Timeout arithmetic of every blocking call: one rule, saturating instead of overflowing. */
public final class Timeouts {
    private Timeouts() {
    }

    /**
     * {@code timeout} in nanoseconds, saturated to ±2^62 so that {@code System.nanoTime() + nanos} and
     * {@code deadline - System.nanoTime()} cannot overflow into the wrong sign. Zero or negative means
     * "look once, do not wait" wherever the library takes a timeout.
     */
    public static long nanos(Duration timeout) {
        long limit = Long.MAX_VALUE / 2;
        try {
            return Math.max(-limit, Math.min(limit, timeout.toNanos()));
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? -limit : limit;
        }
    }
}
