package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.remote.JoinableBackend;

/**
 * A {@link BlockingQueue} on a Hazelcast {@code IQueue<byte[]>}, shared by every JVM of the cluster that
 * names it: each item encoded and signed ({@link Payloads}); an item whose signature fails is logged and
 * dropped by the taking side, never decoded; so is an item that is not a frame at all (an object put into the
 * Hazelcast queue by someone without the authkey: {@link Queues#poll}), a take then waits for the next
 * genuine item. No nulls (as every {@code BlockingQueue}). The iterator is a
 * snapshot. A serializable handle ({@link StructureRef}). Thread-safe.
 *
 * <p>A joinable queue (made with an unfinished count) is also a {@link JoinableBackend}: every item put
 * adds one to a count in an {@code IMap} <em>before</em> the item is offered (so {@link #join()} cannot
 * see zero while an item is on its way), an offer that finds no room takes it back (a put waiting for room
 * is not counted, as in CPython: a producer killed while it waits leaves the count exact; once full, it
 * counts and offers again only when the queue shows room), and
 * {@link #taskDone()} takes one away; both with the map's atomic {@code replace(key, old, new)}. A put of a
 * full joinable queue polls for room (1 to 100 ms apart). {@link #join()} reads the count
 * every 5 to 100 ms (an {@code IMap} has no blocking wait). The count is not signed: anyone reaching the
 * cluster can change it.
 *
 * <p>Waits ({@link #take()}, {@link #put}, the timed {@code poll} and {@code offer}) are slices run by
 * {@link Waiting}, and every call that moves an item runs as a {@link ShieldedCall}: an interrupt never
 * abandons a cluster call half done (Hazelcast's client would drop the item a parked {@code take} gets
 * later, or report a failed {@code put} whose item arrives later). An interrupt that comes as a slice
 * succeeds lets it succeed: the item taken is returned (or the item offered stays in the queue) with the
 * interrupt status set; otherwise the wait throws {@link InterruptedException} and nothing was taken or
 * added.
 */
public final class ClusterQueue<T> extends AbstractQueue<T> implements JoinableBackend<T>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final String UNFINISHED = "unfinished";

    private final transient IQueue<byte[]> queue;
    private final transient Payloads payloads;
    private final transient String context;
    /** A joinable queue's unfinished count (key {@code unfinished}); null for a plain queue. */
    private final transient IMap<String, Long> unfinished;
    private final transient StructureRef ref;

    ClusterQueue(IQueue<byte[]> queue, Payloads payloads, IMap<String, Long> unfinished, StructureRef ref) {
        this.queue = queue;
        this.payloads = payloads;
        this.context = "queue:" + queue.getName();
        this.unfinished = unfinished;
        this.ref = ref;
    }

    private byte[] seal(T item) {
        return payloads.seal(context, Objects.requireNonNull(item, "a BlockingQueue holds no null"), true, "an item of queue " + queue.getName());
    }

    /** The item of {@code frame}, or null (logged) if its signature fails or it is not a frame ({@link Queues#FOREIGN}). */
    @SuppressWarnings("unchecked")
    private T open(byte[] frame) {
        if (frame == Queues.FOREIGN) {
            return null; // logged by Queues
        }
        try {
            return (T) payloads.open(context, frame, "an item of queue " + queue.getName());
        } catch (SecurityException e) {
            WorkerLog.warn("dropped " + e.getMessage());
            return null;
        }
    }

    @Override
    public boolean offer(T item) {
        try {
            return offerFor(item, 0, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public void put(T item) throws InterruptedException {
        offerFor(item, -1, true);
    }

    @Override
    public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
        return offerFor(item, Math.max(0, unit.toNanos(timeout)), true);
    }

    /**
     * Offers {@code item}, waiting up to {@code nanos} for room (negative: no limit). An item the cluster
     * took as an interrupt came stays put: the offer succeeds with the interrupt status set.
     */
    private boolean offerFor(T item, long nanos, boolean interruptible) throws InterruptedException {
        byte[] frame = seal(item);
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (unfinished == null) {
            return Waiting.slices(nanos, interruptible, ref, slice -> queue.offer(frame, slice, TimeUnit.NANOSECONDS) ? Boolean.TRUE : null,
                    null) != null;
        }
        long[] pauseMs = {0}; // 0: no attempt found the queue full yet
        return Waiting.slices(nanos, interruptible, ref, slice -> countedOffer(frame, slice, pauseMs), null) != null;
    }

    /**
     * One attempt of a joinable queue's put: counts the item, offers it without waiting, takes the count back
     * if there was no room, then waits up to {@code pauseMs} (1 ms, doubling, at most 100 ms; within the
     * slice). Once an attempt found the queue full, the next ones count and offer only when the queue shows
     * room; until then they only wait.
     * NOTE: the count is held only around an offer that does not wait. Held through a wait for room, a
     * producer killed while waiting (its member gone) left it one too high for ever, and {@code join()} waited
     * for an item that never came. Counted at every poll for room, the count included the waiting put for a
     * round trip or two of each poll, and a kill then did the same; now only a death within the round trips of
     * an offer made when there was room can.
     */
    private Boolean countedOffer(byte[] frame, long sliceNanos, long[] pauseMs) throws InterruptedException {
        if (pauseMs[0] == 0 || queue.remainingCapacity() > 0) {
            count(1);
            boolean put = false;
            try {
                put = queue.offer(frame);
            } finally {
                if (!put) {
                    count(-1);
                }
            }
            if (put) {
                return Boolean.TRUE;
            }
        }
        pauseMs[0] = Math.max(1, pauseMs[0]);
        long ms = Math.min(pauseMs[0], TimeUnit.NANOSECONDS.toMillis(sliceNanos));
        if (ms > 0) {
            Thread.sleep(ms);
            pauseMs[0] = Math.min(100, pauseMs[0] * 2);
        }
        return null;
    }

    /** Adds {@code delta} to a joinable queue's unfinished count; nothing for a plain queue. */
    private void counted(long delta) {
        if (unfinished != null) {
            ShieldedCall.quietly(() -> count(delta));
        }
    }

    private void count(long delta) {
        while (true) {
            Long now = Queues.count(unfinished, UNFINISHED);
            long next = (now == null ? 0 : now) + delta;
            if (next < 0) {
                throw new IllegalStateException("taskDone() called more times than items were put into " + this);
            }
            if (now == null ? unfinished.putIfAbsent(UNFINISHED, next) == null : unfinished.replace(UNFINISHED, now, next)) {
                return;
            }
        }
    }

    /**
     * Marks one item taken from this joinable queue as processed.
     *
     * @throws IllegalStateException if called more times than items were put, or this is a plain queue
     */
    @Override
    public void taskDone() {
        joinable();
        counted(-1);
    }

    /**
     * Waits until every item put into this joinable queue so far has been marked done.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if this is a plain queue
     */
    @Override
    public void join() throws InterruptedException {
        joinable();
        long pauseMs = 5;
        while (true) {
            Long now = ShieldedCall.quietly(() -> Queues.count(unfinished, UNFINISHED));
            if (now == null || now == 0) {
                return;
            }
            Thread.sleep(pauseMs);
            pauseMs = Math.min(100, pauseMs * 2);
            ScopeEnds.check(ref);
        }
    }

    private void joinable() {
        if (unfinished == null) {
            throw new IllegalStateException(this + " is not a joinable queue");
        }
    }

    @Override
    public T poll() {
        try {
            return pollFor(0, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public T take() throws InterruptedException {
        return pollFor(-1, true);
    }

    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        return pollFor(Math.max(0, unit.toNanos(timeout)), true);
    }

    /**
     * Takes an item, waiting up to {@code nanos} for one (negative: no limit). An item the cluster handed
     * over as an interrupt came is kept: returned with the interrupt status set (putting it back would
     * move it behind the items that came after it: a Hazelcast queue cannot add at its head).
     */
    private T pollFor(long nanos, boolean interruptible) throws InterruptedException {
        long deadline = Saturating.deadline(nanos);
        while (true) {
            long left = nanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
            byte[] frame = Waiting.slices(left, interruptible, ref, slice -> Queues.poll(queue, slice), null);
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
        IQueue<?> raw = queue;
        Object item;
        try {
            item = ShieldedCall.quietly(raw::peek);
        } catch (HazelcastSerializationException e) {
            Queues.foreign("the head of queue " + queue.getName(), e);
            return null;
        }
        return item == null ? null : open(Queues.frame(item, "the head of queue " + queue.getName()));
    }

    @Override
    public int size() {
        return ShieldedCall.quietly(queue::size);
    }

    @Override
    public int remainingCapacity() {
        return ShieldedCall.quietly(queue::remainingCapacity);
    }

    @Override
    public int drainTo(Collection<? super T> to) {
        return drainTo(to, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super T> to, int max) {
        Objects.requireNonNull(to, "to"); // NOTE: before the drain, which takes the items out of the queue
        if (to == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        if (max <= 0) {
            return 0; // NOTE: Hazelcast's IQueue.drainTo takes a negative maximum as "all"; a BlockingQueue drains nothing
        }
        List<Object> items = new ArrayList<>();
        IQueue<?> raw = queue;
        try {
            ShieldedCall.quietly(() -> raw.drainTo(items, max));
        } catch (HazelcastSerializationException e) {
            // NOTE: Hazelcast took the items out of the queue, then failed decoding one: those after it are lost too
            // (someone who can put items into the queue without the authkey can as well remove them).
            Queues.foreign("an item of queue " + queue.getName() + " (and the items drained after it)", e);
        }
        int n = 0;
        for (byte[] frame : Queues.frames(items, "an item of queue " + queue.getName())) {
            T item = open(frame);
            if (item != null) {
                to.add(item);
                n++;
            }
        }
        return n;
    }

    /**
     * A snapshot of the items; its {@code remove()} removes that item from the queue. An item whose
     * signature fails, or that is not a frame at all, is null there (logged).
     *
     * @throws SecurityException if the queue holds an object that Hazelcast cannot or may not decode (put by
     *     someone without the authkey: see {@link ClusterConfigs}); nothing of it was read
     */
    @Override
    public Iterator<T> iterator() {
        return new SnapshotIterator<>(Queues.checked(queue, "queue " + queue.getName()), this::open);
    }

    @Override
    public void clear() {
        ShieldedCall.quietly(queue::clear);
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterQueue[" + queue.getName() + "]";
    }
}
