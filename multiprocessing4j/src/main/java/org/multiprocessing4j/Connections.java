package org.multiprocessing4j;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.conn.SocketReadiness;
import org.multiprocessing4j.internal.pipe.RingWatches;

/**
 * Python's {@code multiprocessing.connection.wait}: block until some of several connections can be read
 * or some processes have ended.
 */
public final class Connections {
    private Connections() {
    }

    /**
     * {@link #waitFor(List, Duration)} without a timeout.
     *
     * @param objects the {@link Connection}s and {@link Sentinel}s to wait for
     * @return the objects that are ready, in their order in {@code objects}
     * @throws IllegalArgumentException if {@code objects} is empty (nothing could ever end the wait), or
     *         holds an object that is neither
     * @throws IOException if a connection is closed
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public static List<Object> waitFor(List<?> objects) throws IOException, InterruptedException {
        return waitFor(objects, null);
    }

    /**
     * Waits until at least one of {@code objects} is ready, or {@code timeout} passes (zero or negative: just
     * look; {@code null}: no limit), and returns the very objects passed in that are ready, in their order.
     * A {@link Connection} is ready when a receive would not block (a message, or its end, is there); a
     * {@link Sentinel} when its process has ended. Responds to interrupts. Socket connections wait in one
     * selector; each {@link Pipe} end not ready at the first look is watched by a short-lived daemon thread
     * in the ring's own wait, which lets go of the end within one futex slice after this call returns.
     * A connection in {@code objects} that another thread closes meanwhile (a pipe end or a socket
     * connection) wakes this call, which then throws {@link IOException}, as for one closed before the call.
     *
     * @param objects the {@link Connection}s and {@link Sentinel}s to wait for
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the objects that are ready, in their order in {@code objects}; empty if the timeout passed
     * @throws IllegalArgumentException naming the class of an object that is neither; or if {@code objects} is
     *         empty and {@code timeout} is null (CPython's {@code wait([])} then blocks for ever)
     * @throws IOException              if a connection is closed, before or during the wait
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public static List<Object> waitFor(List<?> objects, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(objects, "objects");
        if (objects.isEmpty() && timeout == null) {
            throw new IllegalArgumentException("waitFor with no objects and no timeout would block for ever:"
                    + " pass at least one Connection or Sentinel, or a timeout");
        }
        for (Object o : objects) {
            if (!(o instanceof Connection) && !(o instanceof Sentinel)) {
                throw new IllegalArgumentException("cannot wait for a " + (o == null ? "null" : o.getClass().getName())
                        + ": pass Connections and process Sentinels");
            }
        }
        long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(0, Timeouts.nanos(timeout));
        try (Selector selector = Selector.open(); RingWatches rings = new RingWatches(selector::wakeup)) {
            List<Runnable> cancels = new ArrayList<>();
            try {
                for (Object o : objects) {
                    if (o instanceof Sentinel s) {
                        cancels.add(s.whenReady(selector::wakeup));
                    } else if (!RingWatches.handles(o)) {
                        cancels.add(SocketReadiness.register((Connection) o, selector));
                    }
                }
                while (true) {
                    List<Object> ready = new ArrayList<>();
                    for (Object o : objects) {
                        if (o instanceof Sentinel s ? s.isReady()
                                : RingWatches.handles(o) ? rings.ready((Connection) o) : ((Connection) o).poll()) {
                            ready.add(o);
                        }
                    }
                    if (!ready.isEmpty()) {
                        return ready;
                    }
                    long left = timeout == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) {
                        return ready;
                    }
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    selector.selectedKeys().clear();
                    selector.select(left == Long.MAX_VALUE ? 0 : Math.max(1, left / 1_000_000));
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            } finally {
                cancels.forEach(Runnable::run);
                for (SelectionKey key : selector.keys()) {
                    key.cancel();
                }
            }
        }
    }
}
