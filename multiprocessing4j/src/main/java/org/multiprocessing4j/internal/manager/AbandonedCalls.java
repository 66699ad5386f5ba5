package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.Connection;

/**
 * Ends the calls whose client went away: a call running in a served object (a {@code take()} on a
 * registered queue, a latch's {@code await()}) whose connection reaches its end while it runs (the client
 * thread was interrupted and closed the connection, or the client process ended, SIGKILL included) has
 * the thread running it interrupted, so that it does not take an item later that no reply could carry.
 * A served method that ignores interrupts runs on to its end; its reply goes nowhere.
 *
 * <p>Why readiness means "gone": the protocol is one request, then one reply, on each connection, and a
 * client sends nothing on a connection until the reply to its request came; so a connection that becomes
 * readable during a call has reached its end (or is broken). A connection closed here meanwhile (the
 * manager closing) counts as gone too.
 *
 * <p>Mechanism: each call is announced with {@link #begin} and retired with {@link #end} on the thread
 * serving its connection (a few hundred nanoseconds: no thread is woken for a quick call). One
 * <i>ticker</i> thread looks at the calls in progress every {@link #WATCH_AFTER} and parks while there
 * are none (an idle manager uses no CPU). A call still running after {@link #WATCH_AFTER} gets a
 * <i>watch</i> thread of its own, which waits in the connection's own {@code poll} (a socket's selector
 * wait; a ring's futex sleeps, which also notice a killed peer, within one slice of at most 100 ms) until
 * the connection is readable or the call ended.
 *
 * <p>Implementation note: the {@link Call} object is the token of one call; an interrupt is sent only
 * under its lock and only while it has not ended, and {@link #end} marks it ended under the same lock
 * and clears an interrupt sent for it, so no interrupt reaches a later call or the reply's send.
 * {@link #end} must run before the reply is sent: once the reply is out the client may send its next
 * request, which makes the connection readable while it is alive. A watch thread holds the connection's
 * receive lock while it polls; when the call ends it lets go as soon as the next request arrives (the
 * poll returns) or within {@link #POLL_SLICE}, and the serving thread's next receive waits for that.
 * Not a single watcher over {@code Connections.waitFor}: that starts a thread per ring connection on
 * each call anyway (re-armed whenever a call starts or ends), and a ring's zero-timeout poll never
 * notices a killed peer.
 *
 * <p>Thread-safety: {@link #begin}/{@link #end} from any serving threads; {@link #close()} from any thread.
 */
final class AbandonedCalls implements AutoCloseable {
    /** How long a call runs before its connection is watched (quick calls cost no thread). */
    static final Duration WATCH_AFTER = Duration.ofMillis(30);
    /** How long one poll of a watch thread lasts before it looks whether its call ended. */
    private static final Duration POLL_SLICE = Duration.ofMillis(500);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** One call in progress on one connection: the token an interrupt must match. */
    static final class Call {
        final Connection connection;
        final Thread thread = Thread.currentThread();
        final long started = System.nanoTime();
        /** Guarded by this. */
        private boolean ended;
        /** Whether a watch thread interrupted {@link #thread} for this call; guarded by this. */
        private boolean interrupted;
        /** Whether a watch thread was started for this call (ticker thread only). */
        private boolean watched;

        private Call(Connection connection) {
            this.connection = connection;
        }

        private synchronized boolean ended() {
            return ended;
        }
    }

    private final Set<Call> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger runningCount = new AtomicInteger();
    private final Set<Thread> watchers = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean tickerParked;
    private volatile boolean closed;

    AbandonedCalls() {
        ticker = Thread.ofPlatform().daemon().name("mp4j-manager-calls-" + THREADS.incrementAndGet()).unstarted(this::tick);
        ticker.start();
    }

    /** Announces a call about to run on this thread for the client at the other end of {@code connection}. */
    Call begin(Connection connection) {
        Call call = new Call(connection);
        running.add(call);
        runningCount.incrementAndGet();
        // NOTE: Dekker with tick(): the count is raised before reading the flag, the flag set before reading the count
        if (tickerParked) {
            LockSupport.unpark(ticker);
        }
        return call;
    }

    /**
     * Retires {@code call} (on its thread, before its reply is sent): no interrupt is sent for it after this,
     * and one sent already is cleared.
     */
    void end(Call call) {
        synchronized (call) {
            call.ended = true;
            if (call.interrupted) {
                Thread.interrupted();
            }
        }
        running.remove(call);
        runningCount.decrementAndGet();
    }

    private void tick() {
        long period = WATCH_AFTER.toNanos();
        while (!closed) {
            if (runningCount.get() == 0) {
                tickerParked = true;
                if (runningCount.get() == 0 && !closed) {
                    LockSupport.park(this);
                }
                tickerParked = false;
                continue;
            }
            LockSupport.parkNanos(this, period);
            long now = System.nanoTime();
            for (Call call : running) {
                if (!call.watched && now - call.started >= period && !closed) {
                    call.watched = true;
                    Thread.ofPlatform().daemon().name("mp4j-manager-watch-" + THREADS.incrementAndGet()).start(() -> watch(call));
                }
            }
        }
    }

    /** Waits until {@code call}'s connection is readable (its client is gone) or the call ended. */
    private void watch(Call call) {
        watchers.add(Thread.currentThread());
        try {
            while (!call.ended() && !closed) {
                boolean gone;
                try {
                    gone = call.connection.poll(POLL_SLICE);
                } catch (IOException | RuntimeException closedOrBroken) {
                    gone = true; // NOTE: a connection that fails even to be polled cannot carry the reply either
                } catch (InterruptedException closing) {
                    return;
                }
                if (gone) {
                    synchronized (call) {
                        if (!call.ended) {
                            call.interrupted = true;
                            call.thread.interrupt();
                        }
                    }
                    return;
                }
            }
        } finally {
            watchers.remove(Thread.currentThread());
        }
    }

    /**
     * Stops the ticker and the watch threads and waits for them up to {@code grace}: call it after the
     * connections are closed (a watch thread lets go of its connection within one ring slice of that).
     */
    void close(Duration grace) {
        closed = true;
        LockSupport.unpark(ticker);
        for (Thread w : watchers) {
            w.interrupt();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        try {
            ticker.join(grace);
            for (Thread w : watchers) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                w.join(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
