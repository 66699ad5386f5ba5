package org.multiprocessing4j;

import org.multiprocessing4j.internal.remote.RemoteObjects;

/**
 * Makes a {@link Context}'s queues, locks, semaphores and events where the context keeps them: on the
 * cluster of its {@link Context.Builder#poolWorkers pool workers} when that transport is a
 * {@link RemoteObjects.Provider}, else in this machine's shared memory. Queues carry their items with the
 * context's serializer in both places. Conditions, barriers, values and arrays are always local and are
 * not made here.
 *
 * <p>Immutable and thread-safe. The cluster is asked for its {@link RemoteObjects} at each call, as the
 * transport may make them on first use.
 */
final class LocalOrRemoteObjects {
    private final PoolWorkers poolWorkers;
    private final Class<? extends Serializer> serializer;

    /**
     * @param poolWorkers the context's pool-worker transport, or null for child JVMs of this one
     * @param serializer the context's serializer
     */
    LocalOrRemoteObjects(PoolWorkers poolWorkers, Class<? extends Serializer> serializer) {
        this.poolWorkers = poolWorkers;
        this.serializer = serializer;
    }

    /** Where the objects live if not in this machine's shared memory, else null. */
    RemoteObjects remote() {
        return poolWorkers instanceof RemoteObjects.Provider provider ? provider.remoteObjects() : null;
    }

    <T> Queue<T> queue(int maxsize) {
        RemoteObjects remote = remote();
        if (remote != null) {
            return new RemoteQueue<>(remote.queue(Math.max(0, maxsize), serializer));
        }
        return new Queue<>(maxsize, Queue.CAPACITY_BYTES, serializer.getName());
    }

    <T> JoinableQueue<T> joinableQueue(int maxsize) {
        RemoteObjects remote = remote();
        if (remote != null) {
            return new RemoteJoinableQueue<>(remote.joinableQueue(Math.max(0, maxsize), serializer));
        }
        return new JoinableQueue<>(maxsize, serializer.getName());
    }

    <T> SimpleQueue<T> simpleQueue() {
        RemoteObjects remote = remote();
        if (remote != null) {
            return new SimpleQueue<>(new RemoteQueue<T>(remote.queue(0, serializer)));
        }
        return new SimpleQueue<>(serializer.getName());
    }

    Lock lock() {
        RemoteObjects remote = remote();
        return remote != null ? new Lock(remote.lock(false)) : new Lock();
    }

    RLock rLock() {
        RemoteObjects remote = remote();
        return remote != null ? new RLock(remote.lock(true)) : new RLock();
    }

    Semaphore semaphore(int value) {
        RemoteObjects remote = remote();
        return remote != null ? new Semaphore(remote.semaphore(Semaphore.checkValue(value), false)) : new Semaphore(value);
    }

    BoundedSemaphore boundedSemaphore(int value) {
        RemoteObjects remote = remote();
        return remote != null ? new BoundedSemaphore(remote.semaphore(Semaphore.checkValue(value), true)) : new BoundedSemaphore(value);
    }

    Event event() {
        RemoteObjects remote = remote();
        return remote != null ? new Event(remote.event()) : new Event();
    }
}
