package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;

/**
 * An unbounded FIFO queue shared by threads and processes with only the basic operations: Python's
 * {@code multiprocessing.SimpleQueue}. It is a {@link Queue} underneath (same shared memory, same
 * guarantees: synchronous puts, nothing lost when a process exits or dies, a serializable handle that a
 * child attaches on first use, and one instance per JVM for all the decodes of one handle while it is
 * open); see there for capacity, close and lifetime.
 *
 * <table class="striped">
 * <caption>Blocking</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th></tr>
 * <tr><td>{@link #put}</td><td>only while the queue's bytes are full</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #get}</td><td>until an item comes</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #empty}, {@link #close}</td><td>never</td><td>-</td></tr>
 * </table>
 *
 * @param <T> the type of the items
 */
public final class SimpleQueue<T> implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The queue that holds the items. */
    private final Queue<T> queue;

    /**
     * A new, empty queue.
     *
     * @throws ProcessError if the shared memory cannot be created
     */
    public SimpleQueue() {
        this.queue = new Queue<>(0, Queue.CAPACITY_BYTES, null, false);
        queue.showAs("SimpleQueue");
    }

    SimpleQueue(String serializer) {
        this.queue = new Queue<>(0, Queue.CAPACITY_BYTES, serializer, false);
        queue.showAs("SimpleQueue");
    }

    /** Over {@code queue}, e.g. a cluster's ({@link RemoteQueue}). */
    SimpleQueue(Queue<T> queue) {
        this.queue = queue;
    }

    /**
     * Puts {@code item} at the tail, waiting only while the shared memory is full.
     *
     * @param item the item to put
     * @throws IllegalArgumentException if the item cannot be serialized (naming the class)
     * @throws InterruptedException if interrupted while waiting; nothing was put
     * @throws IllegalStateException if this queue is closed in this process
     */
    public void put(T item) throws InterruptedException {
        queue.put(item);
    }

    /**
     * Removes and returns the head item, waiting as long as it takes.
     *
     * @return the item
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     * @throws IllegalStateException if this queue is closed in this process
     * @throws ProcessError if the item cannot be decoded here (as {@link Queue#get()}); the item is consumed
     */
    public T get() throws InterruptedException {
        return queue.get();
    }

    /** {@return {@code true} if the queue holds no item now; approximate while others put and get} */
    public boolean empty() {
        return queue.empty();
    }

    /** As {@link Queue#close()}. Idempotent. */
    @Override
    public void close() {
        queue.close();
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same queue, if there is one (see
     * {@link Queue}): {@link #queue} was already resolved to the open copy, and the first simple queue over
     * it is the one to use.
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return queue.adopt(this);
    }

    @Override
    public String toString() {
        String q = queue.toString();
        return q.startsWith("SimpleQueue[") ? q : "SimpleQueue[" + q + "]";
    }
}
