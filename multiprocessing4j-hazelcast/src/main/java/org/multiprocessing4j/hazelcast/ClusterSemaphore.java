package org.multiprocessing4j.hazelcast;

import java.time.Duration;
import java.util.Objects;
import org.multiprocessing4j.hazelcast.internal.ClusterPermits;
import org.multiprocessing4j.hazelcast.internal.Saturating;

/**
 * A counting semaphore shared by every JVM of the cluster that names it ({@link ClusterData#semaphore}),
 * with the methods of a local {@code Semaphore}: {@link #acquire()}, {@link #acquire(Duration)},
 * {@link #tryAcquire()}, {@link #release()}, {@link #getValue()}. Not bounded: a {@code release()} without
 * an {@code acquire()} adds a permit. Thread-safe.
 *
 * <p>A permit taken by a member or client that then dies is <b>not</b> given back (as a local semaphore's
 * permit taken by a process that dies): release in a {@code finally}.
 *
 * <p>Implementation note: see {@code internal.ClusterPermits}; Hazelcast's {@code ISemaphore} is part of
 * the CP subsystem, which the community edition does not have.
 */
public final class ClusterSemaphore {
    private final ClusterPermits permits;

    ClusterSemaphore(ClusterPermits permits) {
        this.permits = permits;
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public void acquire() throws InterruptedException {
        permits.acquire(-1, true);
    }

    /**
     * Takes a permit, waiting up to {@code timeout}; zero or negative tries once.
     *
     * @param timeout how long to wait at most
     * @return true if a permit was taken, false if the timeout passed
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return permits.acquire(Math.max(0, Saturating.nanos(Objects.requireNonNull(timeout, "timeout"))), true);
    }

    /**
     * Takes a permit if one is free now; never waits for one (one round trip to the cluster).
     *
     * @return true if a permit was taken
     */
    public boolean tryAcquire() {
        try {
            return permits.acquire(0, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /** Gives a permit back (or adds one: there is no bound). */
    public void release() {
        permits.release();
    }

    /**
     * The number of free permits now (a snapshot).
     *
     * @return how many permits an {@code acquire} could take without waiting
     */
    public int getValue() {
        return permits.value();
    }

    @Override
    public String toString() {
        return permits + "";
    }
}
