package org.multiprocessing4j;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Queue} whose items live in a {@link BlockingQueue} elsewhere: served by a manager
 * ({@code remoteManager.get(name, Queue.class)}), or a cluster's queue ({@code ctx.queue()} on a context
 * whose pool workers are a cluster's). Each call is one call of that queue, so {@code put}/{@code get}
 * block there (for a manager, a blocked {@code get} holds one connection). Nulls are
 * refused (a {@code BlockingQueue}'s rule). {@link #close()} only ends this object's use. Serializes as
 * the proxy it wraps. Thread-safe.
 *
 * @param <T> the type of the items
 */
final class RemoteQueue<T> extends Queue<T> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Selects the constructor of {@link Queue} that makes no shared memory. */
    static final class Marker {
        Marker() {
        }
    }

    private final BlockingQueue<T> remote;

    RemoteQueue(BlockingQueue<T> remote) {
        super(new Marker());
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    @Override
    public void put(T item) throws InterruptedException {
        remote.put(Objects.requireNonNull(item, "item"));
    }

    @Override
    public void put(T item, Duration timeout) throws InterruptedException {
        if (!remote.offer(Objects.requireNonNull(item, "item"), timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new QueueFullException("the queue stayed full for " + timeout);
        }
    }

    @Override
    public void putNowait(T item) {
        if (!remote.offer(Objects.requireNonNull(item, "item"))) {
            throw new QueueFullException("the queue is full");
        }
    }

    @Override
    public T get() throws InterruptedException {
        return remote.take();
    }

    @Override
    public T get(Duration timeout) throws InterruptedException {
        T item = remote.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (item == null) {
            throw new QueueEmptyException("the queue stayed empty for " + timeout);
        }
        return item;
    }

    @Override
    public T getNowait() {
        T item = remote.poll();
        if (item == null) {
            throw new QueueEmptyException("the queue is empty");
        }
        return item;
    }

    @Override
    public int qsize() {
        return remote.size();
    }

    @Override
    public boolean empty() {
        return remote.isEmpty();
    }

    @Override
    public boolean full() {
        return remote.remainingCapacity() == 0;
    }

    @Override
    public int maxsize() {
        int room = remote.remainingCapacity();
        return room == Integer.MAX_VALUE ? 0 : room + remote.size();
    }

    @Override
    public BlockingQueue<T> asBlockingQueue() {
        return remote;
    }

    @Override
    public void close() {
        // nothing of this process's to release: the queue is the manager's or the cluster's
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return new Handle<>(remote);
    }

    /**
     * What a remote queue is on the wire: its proxy.
     *
     * @param <T>    the type of the items
     * @param remote the manager's queue
     */
    private record Handle<T>(BlockingQueue<T> remote) implements Serializable {
        @Serial
        private Object readResolve() throws ObjectStreamException {
            return new RemoteQueue<>(remote);
        }
    }

    @Override
    public String toString() {
        return "RemoteQueue[" + remote + "]";
    }
}
