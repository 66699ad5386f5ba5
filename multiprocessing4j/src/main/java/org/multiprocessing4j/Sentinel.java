package org.multiprocessing4j;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.multiprocessing4j.internal.Timeouts;

/**
 * Becomes ready when a process has ended (Python's {@code Process.sentinel}, a handle that
 * {@code multiprocessing.connection.wait} can wait on). Thread-safe; never un-ready once ready. Two sentinels
 * of the same process are {@linkplain #equals equal} (Python's {@code p.sentinel} is the same value each time),
 * so {@code Connections.waitFor(...).contains(p.sentinel())} tells whether {@code p} has ended.
 */
public final class Sentinel {
    private final CompletableFuture<?> ended;
    private final String what;
    /** Wake-ups of the {@code Connections.waitFor} calls waiting on this sentinel now; each removes its own. */
    private final Set<Runnable> wakers = ConcurrentHashMap.newKeySet();

    /** One per process ({@link Process#sentinel()} keeps it): each adds one stage to {@code ended} for good. */
    Sentinel(CompletableFuture<?> ended, String what) {
        this.ended = ended;
        this.what = what;
        ended.whenComplete((v, e) -> wakers.forEach(Runnable::run));
    }

    /**
     * True once the process has ended. Never blocks.
     *
     * @return {@code true} if the process has ended
     */
    public boolean isReady() {
        return ended.isDone();
    }

    /**
     * Blocks until the process has ended.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void await() throws InterruptedException {
        try {
            ended.get();
        } catch (ExecutionException e) {
            // ended either way
        }
    }

    /**
     * Blocks up to {@code timeout} (zero or negative: just look); returns whether the process has ended.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return {@code true} if the process has ended
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        java.util.Objects.requireNonNull(timeout, "timeout (await() waits without a limit)");
        try {
            ended.get(Math.max(0, Timeouts.nanos(timeout)), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * {@return a future completed when the process has ended, for composing with other waits} Each call adds
     * a stage to the process's exit future that stays until the process ends, even if the returned future is
     * cancelled: call it once per use, not in a polling loop.
     */
    public CompletableFuture<Void> onReady() {
        return ended.handle((v, e) -> null);
    }

    /**
     * For {@code Connections.waitFor}: runs {@code wake} when the process ends, or now if it has ended; the
     * returned action undoes the registration, leaving nothing behind (unlike a stage on {@link #onReady()},
     * which the exit future keeps until the process ends, so a loop of waits on a long-lived process would
     * pile them up). {@code wake} may run more than once.
     */
    Runnable whenReady(Runnable wake) {
        wakers.add(wake);
        if (ended.isDone()) {
            wake.run(); // NOTE: after the add: a completion that ran the wakers before the add is seen here
        }
        return () -> wakers.remove(wake);
    }

    /** {@return whether {@code other} is a sentinel of the same process} */
    @Override
    public boolean equals(Object other) {
        return other instanceof Sentinel s && s.ended == ended;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(ended);
    }

    @Override
    public String toString() {
        return "Sentinel[" + what + (isReady() ? ", ready]" : "]");
    }
}
