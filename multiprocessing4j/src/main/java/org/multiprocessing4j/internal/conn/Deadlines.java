package org.multiprocessing4j.internal.conn;

import java.time.Duration;

/** Timeout arithmetic that saturates instead of overflowing. */
final class Deadlines {
    private Deadlines() {
    }

    static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE / 2;
        }
    }
}
