package org.multiprocessing4j.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The hang detector of a stress program: a daemon thread that reads a progress count every 50 ms and calls
 * {@code onStall} with the count once it has not moved for {@code stallMillis} (a lost wake-up with the
 * futex safety net off sleeps minutes, so a stall this long is a hang).
 */
public final class StallWatchdog {
    private StallWatchdog() {
    }

    /**
     * Starts the watchdog.
     *
     * @param progress     the count that moves while the program makes progress
     * @param stallMillis  how long the count may stand still
     * @param graceMillis  how long a count still at 0 is not a stall (another JVM may still be starting)
     * @param onStall      called with the count when it stalls (typically ends the JVM with a HANG verdict)
     */
    public static void start(LongSupplier progress, long stallMillis, long graceMillis, LongConsumer onStall) {
        Thread.ofPlatform().name("stress-watchdog").daemon().start(() -> {
            long last = -1;
            long since = System.nanoTime();
            long started = since;
            for (;;) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                long now = progress.getAsLong();
                if (now == 0 && System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(graceMillis)) {
                    continue;
                }
                if (now != last) {
                    last = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
                    onStall.accept(now);
                }
            }
        });
    }
}
