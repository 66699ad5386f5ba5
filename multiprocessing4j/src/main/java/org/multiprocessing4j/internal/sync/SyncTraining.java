package org.multiprocessing4j.internal.sync;

import org.multiprocessing4j.Array;
import org.multiprocessing4j.IntArray;
import org.multiprocessing4j.IntValue;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Semaphore;
import org.multiprocessing4j.Value;

/**
 * Takes and releases a {@link Lock}, an {@link RLock} and a {@link Semaphore}, and has two threads
 * increment a {@link Value} under its lock, inside this JVM, for the child JVM that trains the AOT cache:
 * their classes and method handles are then linked in the cache, and its method profiles (JEP 515), of the
 * contended paths too, let a child's JIT compile them sooner. A child that does nothing but increment a
 * shared value under its lock spends a large part of a short run in interpreted and profiled code
 * otherwise. Best effort: failures are ignored; every file is removed.
 */
public final class SyncTraining {
    /** Enough calls for the JIT to profile, and compile, the uncontended paths. */
    private static final int ROUNDS = 20_000;
    /** Increments per thread of the contended part. */
    static final int INCREMENTS = 20_000;

    private SyncTraining() {
    }

    /**
     * Runs the primitives {@value #ROUNDS} times each, then two threads through the value's lock.
     *
     * @return the value the two threads reached (2 x {@value #INCREMENTS}), or -1 if something failed
     */
    public static int exercise() {
        try (Lock lock = new Lock(); RLock rlock = new RLock(); Semaphore semaphore = new Semaphore(1);
             IntValue value = Value.ofInt(0); IntArray raw = Array.rawInts(64)) {
            for (int i = 0; i < ROUNDS; i++) {
                lock.acquire();
                lock.release();
                rlock.acquire();
                rlock.release();
                semaphore.acquire();
                semaphore.release();
                raw.set(i & 63, raw.get(i & 63) + 1);
            }
            Runnable increments = () -> {
                RLock guard = value.getLock();
                for (int i = 0; i < INCREMENTS; i++) {
                    guard.lock();
                    try {
                        value.set(value.get() + 1);
                    } finally {
                        guard.unlock();
                    }
                }
            };
            Thread other = new Thread(increments, "mp4j-sync-training");
            other.setDaemon(true);
            other.start();
            increments.run();
            other.join();
            return value.get();
        } catch (Exception | LinkageError ignored) {
            return -1; // training only
        }
    }
}
