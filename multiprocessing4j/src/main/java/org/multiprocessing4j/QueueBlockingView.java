package org.multiprocessing4j;

import java.time.Duration;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@link BlockingQueue} view of a {@link Queue} ({@link Queue#asBlockingQueue()}): each method maps to
 * one call of the queue, so blocking, interrupts, close and cross-process behaviour are the queue's.
 * {@code peek}, {@code iterator} (hence {@code contains}, {@code remove(Object)}, {@code toArray}...)
 * throw {@link UnsupportedOperationException}: a shared queue cannot show its items in place. {@code clear}
 * takes (and drops) the items there are now, one {@code poll} at a time. Timeouts of any length are
 * accepted ({@code Long.MAX_VALUE} of any unit waits as good as forever). Null items are rejected
 * ({@link NullPointerException}), as the interface requires. Thread-safe.
 */
final class QueueBlockingView<T> extends AbstractQueue<T> implements BlockingQueue<T> {
    private final Queue<T> queue;

    QueueBlockingView(Queue<T> queue) {
        this.queue = queue;
    }

    @Override
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        try {
            queue.putNowait(item);
            return true;
        } catch (QueueFullException full) {
            return false;
        }
    }

    @Override
    public void put(T item) throws InterruptedException {
        queue.put(Objects.requireNonNull(item, "item"));
    }

    @Override
    public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        try {
            queue.put(item, duration(timeout, unit));
            return true;
        } catch (QueueFullException full) {
            return false;
        }
    }

    @Override
    public T take() throws InterruptedException {
        return queue.get();
    }

    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            return queue.get(duration(timeout, unit));
        } catch (QueueEmptyException empty) {
            return null;
        }
    }

    @Override
    public T poll() {
        try {
            return queue.getNowait();
        } catch (QueueEmptyException empty) {
            return null;
        }
    }

    /** Unsupported: a shared queue cannot show its head without taking it. */
    @Override
    public T peek() {
        throw new UnsupportedOperationException("peek: a multiprocessing Queue cannot show an item without taking it");
    }

    /** Unsupported: a shared queue cannot show its items in place. */
    @Override
    public Iterator<T> iterator() {
        throw new UnsupportedOperationException("iterator: a multiprocessing Queue cannot show its items in place");
    }

    @Override
    public int size() {
        return queue.qsize();
    }

    @Override
    public boolean isEmpty() {
        return queue.empty();
    }

    @Override
    public int remainingCapacity() {
        return queue.maxsize() == 0 ? Integer.MAX_VALUE : Math.max(0, queue.maxsize() - queue.qsize());
    }

    @Override
    public int drainTo(Collection<? super T> sink) {
        return drainTo(sink, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super T> sink, int maxElements) {
        Objects.requireNonNull(sink, "sink");
        if (sink == this || sink instanceof QueueBlockingView<?> view && view.queue.sameFileAs(queue)) {
            throw new IllegalArgumentException("cannot drain a queue into itself (" + queue + ")");
        }
        // NOTE: at most the items there at the start, as the JDK's queues drain: a sink that puts into this same
        // queue another way (a manager's proxy of it, a collection that forwards here) kept it from ever emptying
        int limit = Math.min(maxElements, queue.qsize());
        int n = 0;
        T item;
        while (n < limit && (item = poll()) != null) {
            sink.add(item);
            n++;
        }
        return n;
    }

    /**
     * Takes (and drops) at most the items there are at the start, one {@link #poll()} at a time.
     */
    @Override
    public void clear() {
        // NOTE: AbstractQueue's clear polls until empty: while producers (of any process) keep pace with it, it
        // never returned. Bounded as drainTo is, by the count at the start
        int limit = queue.qsize();
        for (int n = 0; n < limit && poll() != null; n++) {
            // drops the item
        }
    }

    /** {@code timeout} in {@code unit} as a duration; {@link TimeUnit#toNanos} saturates, so no length overflows. */
    private static Duration duration(long timeout, TimeUnit unit) {
        return Duration.ofNanos(Objects.requireNonNull(unit, "unit").toNanos(timeout));
    }

    @Override
    public String toString() {
        return "BlockingQueue view of " + queue;
    }
}
