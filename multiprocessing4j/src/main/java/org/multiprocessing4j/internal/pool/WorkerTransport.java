package org.multiprocessing4j.internal.pool;

import org.multiprocessing4j.Context;
import org.multiprocessing4j.PoolWorkers;

/**
 * The SPI behind {@link PoolWorkers} (DESIGN.md §6): a transport that runs pool workers somewhere other
 * than child JVMs of this one (module {@code multiprocessing4j-hazelcast}). A pool made with a context
 * whose {@link Context#poolWorkers()} is set asks it for its {@link WorkerLauncher}. Thread-safe.
 */
public interface WorkerTransport extends PoolWorkers {
    /**
     * The launcher of one pool's workers; tasks and results travel with {@code context}'s serializer.
     *
     * @param context the context the pool was made with
     * @return a launcher for that pool
     */
    WorkerLauncher launcher(Context context);

    /**
     * The launcher for a pool made with {@code context}: its transport's, or child JVMs of this one.
     *
     * @throws IllegalArgumentException if the context's pool workers are not a multiprocessing4j transport
     */
    static WorkerLauncher of(Context context) {
        PoolWorkers workers = context.poolWorkers().orElse(null);
        if (workers == null) {
            return new ChildWorkerLauncher(context);
        }
        if (workers instanceof WorkerTransport transport) {
            return transport.launcher(context);
        }
        throw new IllegalArgumentException("pool workers " + workers.getClass().getName()
                + " are not a multiprocessing4j transport (use HazelcastWorkers from multiprocessing4j-hazelcast)");
    }
}
