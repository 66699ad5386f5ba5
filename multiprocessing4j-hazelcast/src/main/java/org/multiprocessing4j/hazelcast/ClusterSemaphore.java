package org.multiprocessing4j.hazelcast;

import com.hazelcast.collection.IQueue;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.hazelcast.internal.Frames;
import org.multiprocessing4j.hazelcast.internal.WorkerLog;

/**
 * A counting semaphore shared by every JVM of the cluster that names it ({@link ClusterData#semaphore}),
 * with the methods of a local {@code Semaphore}: {@link #acquire()}, {@link #acquire(Duration)},
 * {@link #tryAcquire()}, {@link #release()}, {@link #getValue()}. Not bounded: a {@code release()} without
 * an {@code acquire()} adds a permit. Thread-safe.
 *
 * <p>A permit taken by a member or client that then dies is <b>not</b> given back (as a local semaphore's
 * permit taken by a process that dies): release in a {@code finally}.
 *
 * <p>Implementation note: Hazelcast's {@code ISemaphore} is part of the CP subsystem, which the community
 * edition does not have (5.7: "CP subsystem is a licensed feature"). The permits are signed tokens in an
 * {@code IQueue} ({@code mp4j.s.<name>}, one synchronous backup: one member crash loses none): acquiring
 * takes one, releasing puts one back. A token without the authkey's signature is dropped (logged) when
 * taken, so nobody without the key can add permits; anybody reaching the cluster can still remove them.
 */
public final class ClusterSemaphore {
    private final IQueue<byte[]> permits;
    private final Frames frames;
    private final String context;

    ClusterSemaphore(IQueue<byte[]> permits, Frames frames) {
        this.permits = permits;
        this.frames = frames;
        this.context = "semaphore:" + permits.getName();
    }

    /** Puts {@code n} new permits in the queue (once, by the JVM that made the semaphore). */
    void fill(int n) {
        for (int i = 0; i < n; i++) {
            release();
        }
    }

    private boolean genuine(byte[] token) {
        if (token != null && frames.open(context, Frames.ANY_SEQ, token) == null) {
            WorkerLog.warn("dropped a permit of " + permits.getName() + " with a bad signature (written without the authkey)");
            return false;
        }
        return true;
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public void acquire() throws InterruptedException {
        while (!genuine(permits.take())) {
            // a forged permit was dropped: wait for a real one
        }
    }

    /**
     * Takes a permit, waiting up to {@code timeout}; zero or negative tries once.
     *
     * @param timeout how long to wait at most
     * @return true if a permit was taken, false if the timeout passed
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        while (true) {
            byte[] token = permits.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (token == null) {
                return false;
            }
            if (genuine(token)) {
                return true;
            }
        }
    }

    /**
     * Takes a permit if one is free now; never waits for one (one round trip to the cluster).
     *
     * @return true if a permit was taken
     */
    public boolean tryAcquire() {
        while (true) {
            byte[] token = permits.poll();
            if (token == null) {
                return false;
            }
            if (genuine(token)) {
                return true;
            }
        }
    }

    /** Gives a permit back (or adds one: there is no bound). */
    public void release() {
        permits.add(frames.seal(context, ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, new byte[0]));
    }

    /**
     * The number of free permits now (a snapshot).
     *
     * @return how many permits an {@code acquire} could take without waiting
     */
    public int getValue() {
        return permits.size();
    }

    @Override
    public String toString() {
        return "ClusterSemaphore[" + permits.getName() + ", value=" + getValue() + "]";
    }
}
