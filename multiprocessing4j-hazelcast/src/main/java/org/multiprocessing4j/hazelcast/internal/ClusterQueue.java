package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BlockingQueue} on a Hazelcast {@code IQueue<byte[]>}, shared by every JVM of the cluster that
 * names it: each item encoded and signed ({@link Payloads}); an item whose signature fails is logged and
 * dropped by the taking side, never decoded. No nulls (as every {@code BlockingQueue}). The iterator is a
 * snapshot. Thread-safe.
 */
public final class ClusterQueue<T> extends AbstractQueue<T> implements BlockingQueue<T> {
    private final IQueue<byte[]> queue;
    private final Payloads payloads;
    private final String context;

    public ClusterQueue(IQueue<byte[]> queue, Payloads payloads) {
        this.queue = queue;
        this.payloads = payloads;
        this.context = "queue:" + queue.getName();
    }

    private byte[] seal(T item) {
        return payloads.seal(context, Objects.requireNonNull(item, "a BlockingQueue holds no null"), true, "an item of queue " + queue.getName());
    }

    /** The item of {@code frame}, or null (logged) if its signature fails. */
    @SuppressWarnings("unchecked")
    private T open(byte[] frame) {
        try {
            return (T) payloads.open(context, frame, "an item of queue " + queue.getName());
        } catch (SecurityException e) {
            WorkerLog.warn("dropped " + e.getMessage());
            return null;
        }
    }

    @Override
    public boolean offer(T item) {
        return queue.offer(seal(item));
    }

    @Override
    public void put(T item) throws InterruptedException {
        queue.put(seal(item));
    }

    @Override
    public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
        return queue.offer(seal(item), timeout, unit);
    }

    @Override
    public T poll() {
        while (true) {
            byte[] frame = queue.poll();
            if (frame == null) {
                return null;
            }
            T item = open(frame);
            if (item != null) {
                return item;
            }
        }
    }

    @Override
    public T take() throws InterruptedException {
        while (true) {
            T item = open(queue.take());
            if (item != null) {
                return item;
            }
        }
    }

    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            byte[] frame = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                return null;
            }
            T item = open(frame);
            if (item != null) {
                return item;
            }
        }
    }

    @Override
    public T peek() {
        byte[] frame = queue.peek();
        return frame == null ? null : open(frame);
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    @Override
    public int drainTo(Collection<? super T> to) {
        return drainTo(to, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super T> to, int max) {
        if (to == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        List<byte[]> frames = new ArrayList<>();
        queue.drainTo(frames, max);
        int n = 0;
        for (byte[] frame : frames) {
            T item = open(frame);
            if (item != null) {
                to.add(item);
                n++;
            }
        }
        return n;
    }

    /** A snapshot of the items; its {@code remove()} removes that item from the queue. */
    @Override
    public Iterator<T> iterator() {
        return new SnapshotIterator<>(queue, this::open);
    }

    @Override
    public void clear() {
        queue.clear();
    }

    @Override
    public String toString() {
        return "ClusterQueue[" + queue.getName() + "]";
    }
}
