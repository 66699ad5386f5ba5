package org.multiprocessing4j.hazelcast;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import org.multiprocessing4j.Serializer;
import org.multiprocessing4j.hazelcast.internal.ClusterSession;
import org.multiprocessing4j.hazelcast.internal.StructureRef;

/**
 * Queues, dicts, lists, locks and semaphores shared by every JVM of a cluster, by name: in the pool's program from
 * {@link HazelcastWorkers#data()}, in a task running on a member from {@link #onThisMember()}. A queue is a
 * {@link BlockingQueue} (the interface of a local {@code Queue}'s {@code asBlockingQueue()} view), a dict a
 * {@link ConcurrentMap} (the type of a manager's {@code dict()}), so code written against those interfaces
 * runs unchanged on either; a list is a {@link List}, a lock a {@link Lock} (reentrant), a semaphore a
 * {@link ClusterSemaphore}. Locks and semaphores are AP, not CP: Hazelcast's community edition has no CP
 * subsystem (see {@link #lock}). Items are encoded with the default context's serializer unless one is
 * given, and signed with the cluster's authkey: an item written without it is refused (dropped with a
 * log line from a queue; {@link SecurityException} from a dict) before it is decoded. Items are not
 * encrypted, and, unlike pool frames, not numbered: an attacker on the network can delete or replay an
 * item, not forge one. Every view is a serializable handle: captured by a task, it names the same structure
 * on the member that runs it. Thread-safe.
 *
 * <p>A context made by {@link HazelcastWorkers#context()} makes its {@code queue()}, {@code joinableQueue()},
 * {@code lock()}, {@code rLock()}, {@code semaphore(n)}, {@code boundedSemaphore(n)} and its manager's
 * {@code dict()} and {@code list()} on the cluster too, without names; this class is for structures found
 * by name.
 */
public final class ClusterData {
    private static volatile ClusterData member;

    private final ClusterSession session;
    /** Null: the default context's, looked up at first use (so that making this does not fix the default context). */
    private final Class<? extends Serializer> serializer;

    ClusterData(ClusterSession session, Class<? extends Serializer> serializer) {
        this.session = session;
        this.serializer = serializer;
    }

    /** Called once by {@link WorkerMain}. */
    static void installMember(ClusterData data) {
        member = data;
    }

    /**
     * The cluster's data as seen from the member this code runs on (in a pool task on a {@link WorkerMain}
     * member).
     *
     * @return the member's view of the cluster's queues and dicts
     * @throws IllegalStateException if this JVM is not a {@link WorkerMain} member
     */
    public static ClusterData onThisMember() {
        ClusterData data = member;
        if (data == null) {
            throw new IllegalStateException("this JVM is not a WorkerMain member: use HazelcastWorkers.data() in the pool's program");
        }
        return data;
    }

    /**
     * The same queues and dicts, with items encoded by {@code type} instead (every JVM using a structure
     * must use the same serializer for it).
     *
     * @param type a {@link Serializer} with a public no-argument constructor
     * @return a view with that serializer
     */
    public ClusterData withSerializer(Class<? extends Serializer> type) {
        return new ClusterData(session, Objects.requireNonNull(type, "serializer"));
    }

    /**
     * The cluster's queue called {@code name} (made on first use; unbounded). An interrupt of a thread
     * waiting in {@code take}, {@code put} or a timed {@code poll}/{@code offer} throws
     * {@link InterruptedException} with nothing taken or added, unless the cluster moved the item just as
     * the interrupt came: then the call succeeds and the interrupt status stays set (no item is lost
     * either way).
     *
     * @param name the queue's name, the same in every JVM that uses it
     * @param <T> the type of its items
     * @return a view of the queue
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public <T> BlockingQueue<T> queue(String name) {
        return session.queue(checked(name), serializer);
    }

    /**
     * The cluster's dict called {@code name} (made on first use). Keys must encode the same way whenever
     * they are equal: strings, numbers, enums, records of those.
     *
     * @param name the dict's name, the same in every JVM that uses it
     * @param <K> the type of its keys
     * @param <V> the type of its values
     * @return a view of the dict
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public <K, V> ConcurrentMap<K, V> dict(String name) {
        return session.dict(checked(name), serializer);
    }

    /**
     * The cluster's list called {@code name} (made on first use). Items are signed for the list; index
     * operations are one cluster call each, iteration and searches work on a snapshot. A compound step
     * ({@code get} then {@code set}) is not atomic: guard it with a {@link #lock}.
     *
     * @param name the list's name, the same in every JVM that uses it
     * @param <T> the type of its items
     * @return a view of the list
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public <T> List<T> list(String name) {
        return session.list(checked(name), serializer);
    }

    /**
     * The cluster's lock called {@code name}: held by one thread of one member or client at a time,
     * <b>reentrant</b> (the owner may take it again and unlocks it as many times; so it is also the
     * cluster's RLock), {@code unlock} by a non-owner throws {@link IllegalMonitorStateException}, no
     * {@code newCondition}. It is the per-key lock of an {@code IMap}, not the CP subsystem's
     * {@code FencedLock}, which Hazelcast's community edition does not have (5.7 throws "CP subsystem is a
     * licensed feature"). What holds: mutual exclusion while the cluster is connected, through the crash
     * of one member (the lock state has a synchronous backup); a lock held by a client whose JVM dies is
     * released once the cluster sees it gone, and (as Hazelcast documents) one held by a member that
     * leaves the cluster. What is weaker than a CP lock: in a
     * network partition (split brain) each side can grant it; there are no fencing tokens, so a holder
     * paused past its own removal cannot be told apart from the next holder; and anyone reaching the
     * cluster can force it open (the authkey does not guard it).
     *
     * @param name the lock's name, the same in every JVM that uses it
     * @return the lock
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Lock lock(String name) {
        return session.rlock(checked(name));
    }

    /**
     * The cluster's semaphore called {@code name}, made with {@code permits} free permits by the first JVM
     * that asks for it (later calls must give the same number). Its permits are signed tokens in an
     * {@code IQueue}, not the CP subsystem's {@code ISemaphore} (not in the community edition): a permit
     * taken by a JVM that dies is not given back. Each permit is an item of that queue, so a semaphore starts
     * with at most 65,536 permits.
     *
     * @param name the semaphore's name, the same in every JVM that uses it
     * @param permits the number of permits it starts with, 0 to
     *     65,536
     * @return the semaphore
     * @throws IllegalArgumentException if {@code name} is null or blank, {@code permits} is negative or above that
     *     limit, or the semaphore was made with another number of permits
     */
    public ClusterSemaphore semaphore(String name, int permits) {
        checked(name);
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore's permits must be 0 or more: " + permits);
        }
        return new ClusterSemaphore(session.permits(name, permits, false));
    }

    /**
     * Removes the queue, dict, list, lock or semaphore called {@code name} and its items from the cluster
     * (a lock held then is released). Called with an interrupt pending, it still removes them all and keeps the
     * interrupt status.
     *
     * @param name the name given to {@link #queue}, {@link #dict}, {@link #list}, {@link #lock} or
     *     {@link #semaphore}
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public void destroy(String name) {
        checked(name);
        for (StructureRef.Kind kind : StructureRef.Kind.values()) {
            session.destroy(kind, name);
        }
    }

    private static String checked(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: a cluster structure's name may not be " + (name == null ? "null" : "blank: \"" + name + "\""));
        }
        return name;
    }

    @Override
    public String toString() {
        return "ClusterData[" + session.cluster() + (serializer != null ? ", " + serializer.getSimpleName() : "") + "]";
    }
}
