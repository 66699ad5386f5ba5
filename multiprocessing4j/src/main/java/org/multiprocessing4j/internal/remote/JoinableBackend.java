package org.multiprocessing4j.internal.remote;

import java.util.concurrent.BlockingQueue;

/**
 * A remote queue that counts its unfinished items: every item put adds one, {@link #taskDone()} takes one
 * away, {@link #join()} waits for zero (Python's {@code JoinableQueue}).
 *
 * @param <T> the type of the items
 */
public interface JoinableBackend<T> extends BlockingQueue<T> {
    /**
     * Marks one item taken from the queue as processed.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    void taskDone();

    /**
     * Waits until every item put so far has been marked done.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void join() throws InterruptedException;
}
