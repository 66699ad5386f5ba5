package org.multiprocessing4j;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Timeouts;

/**
 * A {@link Queue} whose items live in a {@link BlockingQueue} elsewhere: served by a manager
 * ({@code remoteManager.get(name, Queue.class)}), or a cluster's queue ({@code ctx.queue()} on a context
 * whose pool workers are a cluster's). Each call is one call of that queue, so {@code put}/{@code get}
 * block there (for a manager, a blocked {@code get} holds one connection). Nulls are
 * refused (a {@code BlockingQueue}'s rule). {@link #close()} only ends this object's use, as a local
 * queue's close ends this process's: later calls throw {@link IllegalStateException} and threads blocked
 * in {@code put}/{@code get} are woken to throw it; other handles of the queue (copies in other JVMs, or
 * decoded again here) go on. Serializes as the proxy it wraps. Thread-safe.
 *
 * @param <T> the type of the items
 */
/*
 * Implementation notes
 *
 * Waking the blocked. A thread blocked in the remote queue's put or take is woken by an interrupt, which both
 * kinds of remote queue handle without losing an item: a cluster queue waits in slices and gives back an
 * item a slice got when interrupted (ClusterQueue, Waiting); a manager's client drops the connection and the
 * manager interrupts the call it serves (AbandonedCalls). So close() interrupts the threads registered in
 * `blocked` (each call registers a token under `this` and removes it under `this` when it returns), and
 * such a call then throws IllegalStateException instead of InterruptedException. A call that got its result
 * just as close() interrupted it returns that result and clears the interrupt close() sent; an interrupt
 * from elsewhere that came at that very moment is lost with it.
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
    /** Set by {@link #close()}; guarded by this (volatile for the quick checks). */
    private transient volatile boolean closed;
    /** The calls of this object blocked in the remote queue now; guarded by this. */
    private final transient Set<Blocked> blocked = new HashSet<>();

    /** One blocking call in progress: its thread, and whether close() interrupted it (guarded by the queue). */
    private static final class Blocked {
        final Thread thread = Thread.currentThread();
        boolean interruptedByClose;
    }

    /** A blocking call of the remote queue. */
    @FunctionalInterface
    interface Call<R> {
        R run() throws InterruptedException;
    }

    /** Throws if this object is closed. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** Runs {@code call}, woken by {@link #close()} with {@link IllegalStateException}. */
    <R> R blocking(Call<R> call) throws InterruptedException {
        Blocked token = new Blocked();
        synchronized (this) {
            checkOpen();
            blocked.add(token);
        }
        boolean done = false;
        try {
            R result = call.run();
            done = true;
            return result;
        } catch (InterruptedException e) {
            synchronized (this) {
                blocked.remove(token);
                if (token.interruptedByClose) {
                    throw new IllegalStateException(this + " was closed while this thread waited in it");
                }
            }
            throw e;
        } finally {
            synchronized (this) {
                blocked.remove(token);
                if (done && token.interruptedByClose) {
                    Thread.interrupted(); // NOTE: close's interrupt came after the call's end: not the caller's
                }
            }
        }
    }

    RemoteQueue(BlockingQueue<T> remote) {
        super(new Marker());
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    @Override
    public void put(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        blocking(() -> {
            remote.put(item);
            return null;
        });
    }

    @Override
    public void put(T item, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        if (!blocking(() -> remote.offer(item, Timeouts.nanos(timeout), TimeUnit.NANOSECONDS))) {
            throw new QueueFullException("the queue stayed full for " + timeout);
        }
    }

    @Override
    public void putNowait(T item) {
        checkOpen();
        if (!remote.offer(Objects.requireNonNull(item, "item"))) {
            throw new QueueFullException("the queue is full");
        }
    }

    @Override
    public T get() throws InterruptedException {
        return blocking(remote::take);
    }

    @Override
    public T get(Duration timeout) throws InterruptedException {
        T item = blocking(() -> remote.poll(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS));
        if (item == null) {
            throw new QueueEmptyException("the queue stayed empty for " + timeout);
        }
        return item;
    }

    @Override
    public T getNowait() {
        checkOpen();
        T item = remote.poll();
        if (item == null) {
            throw new QueueEmptyException("the queue is empty");
        }
        return item;
    }

    @Override
    public int qsize() {
        checkOpen();
        return remote.size();
    }

    @Override
    public boolean empty() {
        checkOpen();
        return remote.isEmpty();
    }

    @Override
    public boolean full() {
        checkOpen();
        return remote.remainingCapacity() == 0;
    }

    @Override
    public int maxsize() {
        // NOTE: an unbounded BlockingQueue (LinkedBlockingQueue, a Hazelcast IQueue without a max size) has a
        // capacity of Integer.MAX_VALUE and reports Integer.MAX_VALUE - size() as its remaining capacity: once it
        // holds an item, room alone no longer tells it is unbounded, room + size does
        long capacity = (long) remote.remainingCapacity() + remote.size();
        return capacity >= Integer.MAX_VALUE ? 0 : (int) capacity;
    }

    /**
     * A {@link BlockingQueue} view of the remote queue whose calls are this object's: after {@link #close()}
     * they throw {@link IllegalStateException}, and threads blocked in its {@code put}, {@code take} or timed
     * {@code offer}/{@code poll} are woken to throw it, as a local queue's view does. Otherwise each call is
     * one call of the remote queue, with what it offers ({@code peek}, a snapshot {@code iterator} for a
     * cluster's queue). Serializes as the remote queue (a copy elsewhere goes on, as other handles do).
     */
    @Override
    public BlockingQueue<T> asBlockingQueue() {
        return new View();
    }

    /**
     * See {@link #asBlockingQueue()}.
     *
     * <p>Implementation note: it returned the remote queue itself, so closing this object neither stopped its
     * use through the view nor woke a thread blocked in the view's {@code take} (which waited on for an item),
     * unlike a local queue's view, whose calls are the queue's.
     */
    private final class View extends java.util.AbstractQueue<T> implements BlockingQueue<T>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public void put(T item) throws InterruptedException {
            Objects.requireNonNull(item, "item");
            blocking(() -> {
                remote.put(item);
                return null;
            });
        }

        @Override
        public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(item, "item");
            Objects.requireNonNull(unit, "unit");
            return blocking(() -> remote.offer(item, timeout, unit));
        }

        @Override
        public T take() throws InterruptedException {
            return blocking(remote::take);
        }

        @Override
        public T poll(long timeout, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(unit, "unit");
            return blocking(() -> remote.poll(timeout, unit));
        }

        @Override
        public boolean offer(T item) {
            Objects.requireNonNull(item, "item");
            checkOpen();
            return remote.offer(item);
        }

        @Override
        public T poll() {
            checkOpen();
            return remote.poll();
        }

        @Override
        public T peek() {
            checkOpen();
            return remote.peek();
        }

        @Override
        public java.util.Iterator<T> iterator() {
            checkOpen();
            return remote.iterator();
        }

        @Override
        public int size() {
            checkOpen();
            return remote.size();
        }

        @Override
        public int remainingCapacity() {
            checkOpen();
            return remote.remainingCapacity();
        }

        @Override
        public int drainTo(java.util.Collection<? super T> sink) {
            return drainTo(sink, Integer.MAX_VALUE);
        }

        @Override
        public int drainTo(java.util.Collection<? super T> sink, int maxElements) {
            Objects.requireNonNull(sink, "sink");
            if (sink == this || sink == remote || sink instanceof RemoteQueue.View other && other.target() == remote) {
                throw new IllegalArgumentException("cannot drain a queue into itself (" + RemoteQueue.this + ")");
            }
            checkOpen();
            return remote.drainTo(sink, maxElements);
        }

        @Override
        public void clear() {
            checkOpen();
            remote.clear();
        }

        /** The remote queue this is a view of (two views of one queue may not drain into each other). */
        private Object target() {
            return remote;
        }

        @Serial
        private Object writeReplace() throws ObjectStreamException {
            return remote;
        }

        @Override
        public String toString() {
            return "BlockingQueue view of " + RemoteQueue.this;
        }
    }

    @Override
    public void close() {
        // NOTE: nothing of this process's to release (the queue is the manager's or the cluster's): only this object's use ends
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Blocked b : blocked) {
                b.interruptedByClose = true;
                b.thread.interrupt();
            }
        }
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
        return "RemoteQueue[" + remote + (closed ? ", closed]" : "]");
    }
}
