package org.multiprocessing4j;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import org.multiprocessing4j.internal.remote.JoinableBackend;

/**
 * A {@link JoinableQueue} whose items and unfinished-task count live in a cluster's queue
 * ({@code ctx.joinableQueue()} on a context whose pool workers are a cluster's): each call is one call of
 * that queue, as {@link RemoteQueue}'s; {@link #taskDone()} and {@link #join()} use the cluster's count.
 * Nulls are refused. {@link #close()} only ends this object's use. Serializes as the backend it wraps, so
 * a task on another JVM of the cluster reaches the same queue. Thread-safe.
 *
 * @param <T> the type of the items
 */
final class RemoteJoinableQueue<T> extends JoinableQueue<T> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final JoinableBackend<T> backend;
    private final RemoteQueue<T> items;

    RemoteJoinableQueue(JoinableBackend<T> backend) {
        super(new RemoteQueue.Marker());
        this.backend = backend;
        this.items = new RemoteQueue<>(backend);
    }

    @Override
    public void put(T item) throws InterruptedException {
        items.put(item);
    }

    @Override
    public void put(T item, Duration timeout) throws InterruptedException {
        items.put(item, timeout);
    }

    @Override
    public void putNowait(T item) {
        items.putNowait(item);
    }

    @Override
    public T get() throws InterruptedException {
        return items.get();
    }

    @Override
    public T get(Duration timeout) throws InterruptedException {
        return items.get(timeout);
    }

    @Override
    public T getNowait() {
        return items.getNowait();
    }

    @Override
    public int qsize() {
        return items.qsize();
    }

    @Override
    public boolean empty() {
        return items.empty();
    }

    @Override
    public boolean full() {
        return items.full();
    }

    @Override
    public int maxsize() {
        return items.maxsize();
    }

    @Override
    public BlockingQueue<T> asBlockingQueue() {
        return items.asBlockingQueue(); // NOTE: the view's calls are this object's, so its close ends them (the count is kept by the backend)
    }

    // NOTE: taskDone and join are this object's calls too, as a local queue's: refused once it is closed, and a
    // join waiting then is woken to throw (they went straight to the backend: a closed queue's join waited on)

    @Override
    public void taskDone() {
        items.checkOpen();
        backend.taskDone();
    }

    @Override
    public void join() throws InterruptedException {
        items.blocking(() -> {
            backend.join();
            return null;
        });
    }

    @Override
    public void close() {
        items.close(); // NOTE: the queue is the cluster's: only this object's use ends, as RemoteQueue's
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return new Handle<>(backend);
    }

    /**
     * What a remote joinable queue is on the wire: its backend's handle.
     *
     * @param <T>     the type of the items
     * @param backend the cluster's queue
     */
    private record Handle<T>(JoinableBackend<T> backend) implements Serializable {
        @Serial
        private Object readResolve() throws ObjectStreamException {
            return new RemoteJoinableQueue<>(backend);
        }
    }

    @Override
    public String toString() {
        return "JoinableQueue[" + backend + "]";
    }
}
