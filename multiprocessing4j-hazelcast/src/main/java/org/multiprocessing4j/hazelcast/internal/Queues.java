package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import java.util.function.BooleanSupplier;

/**
 * Putting a frame on a queue through a cluster that may be moving partitions (a member just left):
 * retried for a few seconds. A retry may store a frame twice when a first attempt did succeed but its
 * answer was lost; the reader drops the copy, whose number is not above the last one it accepted
 * ({@link Frames}).
 */
final class Queues {
    /** Attempts of the pool's side: about 3 s, after which it gives the worker up. */
    static final int ATTEMPTS = 20;
    private static final long PAUSE_MS = 150;

    private Queues() {
    }

    /** {@link #add(IQueue, byte[], BooleanSupplier, int)} with {@link #ATTEMPTS} attempts. */
    static boolean add(IQueue<byte[]> queue, byte[] frame, BooleanSupplier giveUp) {
        return add(queue, frame, giveUp, ATTEMPTS);
    }

    /**
     * True once {@code frame} is on {@code queue}; false if {@code attempts} attempts failed (0: no limit)
     * or {@code giveUp} says so after a failed one.
     */
    static boolean add(IQueue<byte[]> queue, byte[] frame, BooleanSupplier giveUp, int attempts) {
        for (int attempt = 1; ; attempt++) {
            try {
                queue.add(frame);
                return true;
            } catch (RuntimeException e) {
                if ((attempts > 0 && attempt >= attempts) || giveUp.getAsBoolean()) {
                    WorkerLog.warn("putting a frame on " + queue.getName() + " failed " + attempt + " times; last: " + e);
                    return false;
                }
            }
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
