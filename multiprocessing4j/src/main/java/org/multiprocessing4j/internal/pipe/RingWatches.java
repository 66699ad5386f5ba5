package org.multiprocessing4j.internal.pipe;

import java.io.IOException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import org.multiprocessing4j.Connection;

/**
 * Readiness of ring connections for {@code Connections.waitFor}, which sleeps in a socket selector: for
 * each ring connection not ready at the first look, a short-lived daemon thread waits in the ring's own
 * {@code poll} (spin briefly, then futex sleeps; no busy loop) in slices of {@link #SLICE} and wakes the
 * selector when the connection is ready. One instance serves one {@code waitFor} call, on its thread.
 *
 * <p>While a watcher runs it holds the connection's receive lock; {@link #close()} interrupts it, and it
 * lets go within one futex slice (20 ms at first), so a receive right after {@code waitFor} may wait
 * that long.
 */
public final class RingWatches implements AutoCloseable {
    static final Duration SLICE = Duration.ofMillis(50);

    private final Runnable wake;
    private final Map<Connection, Watcher> watchers = new IdentityHashMap<>();

    /** {@code wake} is called from a watcher thread when its connection became ready. */
    public RingWatches(Runnable wake) {
        this.wake = wake;
    }

    /** True for the connections this class handles. */
    public static boolean handles(Object o) {
        return o instanceof RingConnection;
    }

    /**
     * True if a receive on {@code connection} would not block now. If not, makes sure a watcher waits
     * for it (and calls {@code wake} when it is ready).
     *
     * @throws IOException if the connection is closed or cannot be used here
     */
    public boolean ready(Connection connection) throws IOException {
        Watcher w = watchers.get(connection);
        if (w != null && !w.done) {
            return false;
        }
        if (connection.poll()) {
            return true;
        }
        w = new Watcher(connection);
        watchers.put(connection, w);
        w.thread.start();
        return false;
    }

    /** Stops the watchers (each lets go within one futex slice). */
    @Override
    public void close() {
        for (Watcher w : watchers.values()) {
            w.cancelled = true;
            w.thread.interrupt();
        }
        watchers.clear();
    }

    private final class Watcher implements Runnable {
        final Connection connection;
        final Thread thread;
        volatile boolean cancelled;
        volatile boolean done;

        Watcher(Connection connection) {
            this.connection = connection;
            this.thread = Thread.ofPlatform().daemon().name("mp4j-wait-ring").unstarted(this);
        }

        @Override
        public void run() {
            try {
                while (!cancelled) {
                    if (connection.poll(SLICE)) {
                        break;
                    }
                }
            } catch (InterruptedException cancelledMeanwhile) {
                return;
            } catch (IOException closedOrBroken) {
                // ready: waitFor's next look at the connection reports it
            }
            done = true;
            wake.run();
        }
    }
}
