package org.multiprocessing4j;

import java.io.Serial;

/**
 * A {@link Queue} that also counts unfinished tasks: Python's {@code multiprocessing.JoinableQueue}. Every
 * item put adds one; {@link #taskDone()} (by any process) removes one; {@link #join()} waits for zero.
 * The count lives in the queue's shared memory, so processes may put, mark and join independently; a
 * producer killed mid-put leaves it exact (see {@link Queue}). As a {@link Queue}'s, a put that finds the
 * queue's bytes full leaves its item with the producing process's feeder; the item counts as
 * put at once (in shared memory too), so {@link #join()} in any process waits for it, as in CPython; if
 * that process is killed before the item is in, it is lost, and {@code join()} stops counting it within
 * a futex slice (CPython's would wait for it for ever). Thread-safe.
 *
 * <table class="striped">
 * <caption>Blocking (besides {@link Queue}'s)</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th></tr>
 * <tr><td>{@link #taskDone()}</td><td>never</td><td>-</td></tr>
 * <tr><td>{@link #join()}</td><td>until every item put so far is marked done</td>
 *     <td>{@link InterruptedException}</td></tr>
 * </table>
 *
 * @param <T> the type of the items
 */
public class JoinableQueue<T> extends Queue<T> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A joinable queue without an item limit. */
    public JoinableQueue() {
        this(0, null);
    }

    /**
     * A joinable queue of at most {@code maxsize} items; 0 for no limit.
     *
     * @param maxsize the most items the queue holds; zero or negative: unbounded
     */
    public JoinableQueue(int maxsize) {
        this(maxsize, null);
    }

    JoinableQueue(int maxsize, String serializer) {
        super(maxsize, CAPACITY_BYTES, serializer);
    }

    /** A joinable queue with {@code capacityBytes} of shared memory (tests: a small one fills fast). */
    JoinableQueue(int maxsize, int capacityBytes) {
        super(maxsize, capacityBytes, null);
    }

    /** For {@link RemoteJoinableQueue}: no shared memory of its own, every method overridden. */
    JoinableQueue(RemoteQueue.Marker remote) {
        super(remote);
    }

    /**
     * Marks one item taken from the queue as processed. Never blocks.
     *
     * @throws IllegalStateException if called more times than items were put, or the queue is closed here
     */
    public void taskDone() {
        if (!shared().taskDone()) {
            throw new IllegalStateException("taskDone() called more times than items were put into " + this);
        }
    }

    /**
     * Waits until every item put so far (by any process) has been marked {@linkplain #taskDone() done}.
     * A waiter uses no CPU between futex slices.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the queue is closed in this process
     */
    public void join() throws InterruptedException {
        shared().join(System.nanoTime() + (1L << 62));
    }
}
