package org.multiprocessing4j;

/**
 * Where the workers of a {@link Pool} or {@link ProcessPoolExecutor} run when not as child JVMs of this
 * one: a cluster transport such as {@code org.multiprocessing4j.hazelcast.HazelcastWorkers} (module
 * {@code multiprocessing4j-hazelcast}). A context built with {@link Context.Builder#poolWorkers} gives
 * every pool and executor made with it these workers; nothing else of the program changes.
 *
 * <p>Only multiprocessing4j's own transports implement this interface: a pool built with any other
 * implementation fails with {@link IllegalArgumentException}. Implementations are thread-safe.
 */
public interface PoolWorkers {
    /**
     * A short description for messages, such as {@code hazelcast cluster "mp4j" at 127.0.0.1:5701}.
     *
     * @return the description
     */
    String describe();
}
