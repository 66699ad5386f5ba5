package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Putting a frame on a queue through a cluster that may be moving partitions (a member just left):
 * retried for a few seconds. A retry may store a frame twice when a first attempt did succeed but its
 * answer was lost; the reader drops the copy, whose number is not above the last one it accepted
 * ({@link Frames}), but only when it next reads the queue: until then the copy is there
 * ({@link #tries} tells how many copies there may be).
 *
 * <p>Also the reads of items that anyone reaching the cluster can write (no authkey is needed to put an
 * object into a Hazelcast structure): whatever is not what this library stores there ({@code byte[]}
 * frames, {@code Long} counts) is dropped and logged, never handed on. Java deserialization of such an item
 * is refused by the filter of {@link ClusterConfigs} (Hazelcast then throws
 * {@link HazelcastSerializationException}, with the item already taken); an object of a type Hazelcast
 * decodes itself (a {@code String}, an {@code ArrayList}...) arrives decoded and is dropped here.
 */
final class Queues {
    /** Attempts of the pool's side: about 3 s, after which it gives the worker up. */
    static final int ATTEMPTS = 20;
    private static final long PAUSE_MS = 150;

    /**
     * What {@link #poll} returns for an item that is not a frame (dropped, logged): an empty frame, whose
     * signature check fails wherever it is opened.
     */
    static final byte[] FOREIGN = new byte[0];

    private Queues() {
    }

    /**
     * The next item of {@code queue} within {@code nanos} (0: no wait), or null if none came, or
     * {@link #FOREIGN} if the item taken was not a {@code byte[]} or could not be decoded (dropped, logged).
     */
    static byte[] poll(IQueue<byte[]> queue, long nanos) throws InterruptedException {
        IQueue<?> raw = queue;
        Object item;
        try {
            item = nanos <= 0 ? raw.poll() : raw.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (HazelcastSerializationException e) {
            return foreign("an item of " + queue.getName(), e);
        }
        return item == null ? null : frame(item, "an item of " + queue.getName());
    }

    /** {@code item} if it is a {@code byte[]}; otherwise {@link #FOREIGN} (logged). */
    static byte[] frame(Object item, String what) {
        if (item instanceof byte[] frame) {
            return frame;
        }
        WorkerLog.warn("dropped " + what + " of class " + item.getClass().getName() + " (not written by this library); not read");
        return FOREIGN;
    }

    /** Logs {@code what}, which Hazelcast could not (or, by the filter, would not) decode, as dropped; {@link #FOREIGN}. */
    static byte[] foreign(String what, HazelcastSerializationException e) {
        WorkerLog.warn("dropped " + what + " that is not a frame of this library (" + e.getMessage() + "); not read");
        return FOREIGN;
    }

    /**
     * The items of {@code items} (a snapshot fetched from the cluster), those that are not {@code byte[]}
     * left out (logged).
     */
    static List<byte[]> frames(Collection<?> items, String what) {
        List<byte[]> out = new ArrayList<>(items.size());
        for (Object item : items) {
            byte[] frame = frame(item, what);
            if (frame != FOREIGN) {
                out.add(frame);
            }
        }
        return out;
    }

    /**
     * A snapshot of {@code live} (one cluster call) for a {@link SnapshotIterator}: an item that is not a
     * {@code byte[]} is there as {@link #FOREIGN} (logged; its signature check fails), so positions stay;
     * removing from it removes from {@code live}.
     *
     * @throws SecurityException (logged) if {@code live} holds an object Hazelcast cannot or may not decode
     */
    static Collection<byte[]> checked(Collection<byte[]> live, String what) {
        List<byte[]> snapshot;
        try {
            snapshot = new ArrayList<>();
            // NOTE: shielded, as the removal below: Hazelcast's client throws a HazelcastException in an interrupted thread
            for (Object item : ShieldedCall.quietly(() -> new ArrayList<Object>(live))) {
                snapshot.add(frame(item, "an item of " + what));
            }
        } catch (HazelcastSerializationException e) {
            WorkerLog.warn("refused a snapshot of " + what + ": it holds an object that is not a frame of this library ("
                    + e.getMessage() + "); not read");
            throw new SecurityException(what + " holds an object not written by this library, which it does not decode ("
                    + e.getMessage() + ")", e);
        }
        return new java.util.AbstractCollection<>() {
            @Override
            public java.util.Iterator<byte[]> iterator() {
                return snapshot.iterator();
            }

            @Override
            public int size() {
                return snapshot.size();
            }

            @Override
            public boolean remove(Object frame) {
                return ShieldedCall.quietly(() -> live.remove(frame));
            }
        };
    }

    /**
     * The count under {@code key} of {@code map} (a joinable queue's unfinished count, an event's state),
     * or null if there is none. An entry that is not a {@code Long} (written by someone else: the counts are
     * not signed) is deleted and logged, and read as none.
     */
    static Long count(IMap<String, Long> map, String key) {
        IMap<String, ?> raw = map;
        Object value;
        String why;
        try {
            value = raw.get(key);
            if (value == null || value instanceof Long) {
                return (Long) value;
            }
            why = "of class " + value.getClass().getName();
        } catch (HazelcastSerializationException e) {
            why = "(" + e.getMessage() + ")";
        }
        WorkerLog.warn("dropped the entry " + key + " of " + map.getName() + " " + why + ", not a count of this library; not read");
        map.delete(key);
        return null;
    }

    /** {@link #add(IQueue, byte[], BooleanSupplier, int)} with {@link #ATTEMPTS} attempts. */
    static boolean add(IQueue<byte[]> queue, byte[] frame, BooleanSupplier giveUp) {
        return add(queue, frame, giveUp, ATTEMPTS);
    }

    /**
     * True once {@code frame} is on {@code queue}; false if {@code attempts} attempts failed (0: no limit)
     * or {@code giveUp} says so after a failed one. An interrupt does not end a bounded add (at most
     * {@code attempts} tries, about 3 s): the calls are made with the interrupt status clear, and it is set
     * again before this returns. An unbounded add ends at an interrupt (false, the status set).
     *
     * <p>Implementation note: Hazelcast's client {@code add} in an interrupted thread fails at once, as
     * {@code IllegalStateException("Queue is full!")} with the status set again, whether or not the frame was
     * stored (its wait for the answer is what the interrupt cuts). Before, the pause after such a failure
     * threw at once too, and the add gave up silently: an interrupted launch's ABANDON and the STOP before it
     * were never sent, and the member's worker kept one of its threads (seen in a clean-clone CI run). A retry
     * may store the frame twice, which the reader drops (see the class notes).
     */
    static boolean add(IQueue<byte[]> queue, byte[] frame, BooleanSupplier giveUp, int attempts) {
        return tries(queue, frame, giveUp, attempts) > 0;
    }

    /**
     * {@link #add(IQueue, byte[], BooleanSupplier, int)}, telling how many attempts were made: that many
     * (positive) once the frame is on {@code queue}, minus that many if it gave up. Each attempt may have
     * stored the frame, so the queue may hold up to that many copies.
     */
    static int tries(IQueue<byte[]> queue, byte[] frame, BooleanSupplier giveUp, int attempts) {
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                boolean cut;
                try {
                    queue.add(frame);
                    return attempt;
                } catch (RuntimeException e) {
                    cut = Thread.interrupted();
                    interrupted |= cut;
                    if ((attempts > 0 && attempt >= attempts) || giveUp.getAsBoolean() || (cut && attempts == 0)) {
                        WorkerLog.warn("putting a frame on " + queue.getName() + " failed " + attempt + " times; last: "
                                + (cut ? "interrupted" : e));
                        return -attempt;
                    }
                }
                if (!cut) {
                    try {
                        Thread.sleep(PAUSE_MS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (attempts == 0) {
                            return -attempt;
                        }
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
