package org.multiprocessing4j;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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

    Sentinel(CompletableFuture<?> ended, String what) {
        this.ended = ended;
        this.what = what;
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
        try {
            ended.get(Math.max(0, Timeouts.nanos(timeout)), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** {@return a future completed when the process has ended, for composing with other waits} */
    public CompletableFuture<Void> onReady() {
        return ended.handle((v, e) -> null);
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
