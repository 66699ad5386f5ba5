package org.multiprocessing4j.internal.queue;

import org.multiprocessing4j.Queue;

/**
 * Passes small items through a {@link Queue} inside this JVM, for the child JVM that trains the AOT cache:
 * the queue's classes and the method handles of its shared-memory accesses are then loaded and linked in
 * the cache, and the cache's method profiles (JEP 515) let a child's JIT compile the put and get paths
 * without first running them in profiled code, which for these FFM-heavy paths is several times slower than
 * the optimized code. Best effort: failures are ignored; the queue's file is removed.
 */
public final class QueueTraining {
    /** Enough calls for the JIT to profile, and compile, both paths. */
    private static final int ITEMS = 20_000;

    private QueueTraining() {
    }

    /** Puts and gets {@value #ITEMS} small ints through a fresh queue of this process tree, then closes it. */
    public static void exercise() {
        try (Queue<Integer> q = new Queue<>()) {
            for (int i = 0; i < ITEMS; i++) {
                q.put(i);
                if (q.get() != i) {
                    return;
                }
            }
        } catch (Exception | LinkageError ignored) {
            // training only
        }
    }
}
