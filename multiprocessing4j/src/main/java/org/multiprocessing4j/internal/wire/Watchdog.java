package org.multiprocessing4j.internal.wire;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One daemon timer thread for the library's deadlines on work that cannot time out by itself, such as a
 * handshake with a peer that stops talking: the task (usually closing a channel) runs unless cancelled.
 */
public final class Watchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mp4j-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Watchdog() {
    }

    /** Runs {@code task} after {@code millis} unless the returned future is cancelled first. */
    public static ScheduledFuture<?> after(long millis, Runnable task) {
        return TIMER.schedule(task, millis, TimeUnit.MILLISECONDS);
    }
}
