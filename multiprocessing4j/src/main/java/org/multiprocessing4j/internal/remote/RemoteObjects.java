package org.multiprocessing4j.internal.remote;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import org.multiprocessing4j.Namespace;
import org.multiprocessing4j.Serializer;

/**
 * A factory of shared objects that live somewhere other than this machine's shared memory: a cluster's
 * queues, locks and maps. Each object is new and anonymous, and belongs to this scope: {@link #close()}
 * destroys every object made through it (a manager's shutdown). Every object returned is a serializable
 * handle: a task that captures one and runs on another JVM of the cluster reaches the same object there.
 * Implementations are thread-safe.
 */
public interface RemoteObjects extends AutoCloseable {
    /**
     * A new queue.
     *
     * @param maxsize the most items it holds; 0: no limit
     * @param serializer how its items are encoded
     */
    <T> BlockingQueue<T> queue(int maxsize, Class<? extends Serializer> serializer);

    /** A new queue that counts unfinished items (Python's {@code JoinableQueue}). */
    <T> JoinableBackend<T> joinableQueue(int maxsize, Class<? extends Serializer> serializer);

    /**
     * A new lock.
     *
     * @param reentrant true for an RLock (owned by a thread, released by it as many times as taken); false
     *     for a Lock (released by anyone, taken once: a second take by its holder waits, as in Python)
     */
    LockBackend lock(boolean reentrant);

    /**
     * A new semaphore.
     *
     * @param value its permits, 0 or more
     * @param bounded true if a release may not raise it above {@code value}
     */
    SemaphoreBackend semaphore(int value, boolean bounded);

    /** A new, cleared event. */
    EventBackend event();

    /** A new, empty shared map (a manager's {@code dict()}). */
    <K, V> ConcurrentMap<K, V> dict(Class<? extends Serializer> serializer);

    /** A new, empty namespace (a manager's {@code namespace()}). */
    Namespace namespace(Class<? extends Serializer> serializer);

    /** A new, empty shared list (a manager's {@code list()}). */
    <E> List<E> list(Class<? extends Serializer> serializer);

    /** A new scope on the same cluster, whose {@link #close()} destroys only what was made through it. */
    RemoteObjects scope();

    /** Destroys every object made through this scope (copies then fail or see them empty). Idempotent. */
    @Override
    void close();

    /** {@return where the objects live, for messages, e.g. {@code hazelcast cluster "mp4j" at 127.0.0.1:5701}} */
    String describe();

    /** Implemented by a pool transport whose cluster can also hold a context's shared objects. */
    interface Provider {
        /** {@return the root scope of the cluster's shared objects for contexts using this transport} */
        RemoteObjects remoteObjects();
    }
}
