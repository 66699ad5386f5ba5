package org.multiprocessing4j.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Serializer;
import org.multiprocessing4j.hazelcast.internal.ClusterDict;
import org.multiprocessing4j.hazelcast.internal.ClusterQueue;
import org.multiprocessing4j.hazelcast.internal.Frames;
import org.multiprocessing4j.hazelcast.internal.Payloads;

/**
 * Queues and dicts shared by every JVM of a cluster, by name: in the pool's program from
 * {@link HazelcastWorkers#data()}, in a task running on a member from {@link #onThisMember()}. A queue is a
 * {@link BlockingQueue} (the interface of a local {@code Queue}'s {@code asBlockingQueue()} view), a dict a
 * {@link ConcurrentMap} (the type of a manager's {@code dict()}), so code written against those interfaces
 * runs unchanged on either. Items are encoded with the default context's serializer unless one is
 * given, and signed with the cluster's authkey: an item written without it is refused (dropped with a
 * log line from a queue; {@link SecurityException} from a dict) before it is decoded. Items are not
 * encrypted, and, unlike pool frames, not numbered: an attacker on the network can delete or replay an
 * item, not forge one. Thread-safe.
 */
public final class ClusterData {
    private static volatile ClusterData member;

    private final HazelcastInstance hz;
    private final Frames frames;
    /** Null: the default context's, looked up at first use (so that making this does not fix the default context). */
    private final Class<? extends Serializer> serializer;
    private volatile Payloads payloads;

    ClusterData(HazelcastInstance hz, Frames frames, Class<? extends Serializer> serializer) {
        this.hz = hz;
        this.frames = frames;
        this.serializer = serializer;
    }

    private Payloads payloads() {
        Payloads p = payloads;
        if (p == null) {
            payloads = p = new Payloads(frames, serializer != null ? serializer : Multiprocessing.defaultContext().serializer());
        }
        return p;
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
        return new ClusterData(hz, frames, Objects.requireNonNull(type, "serializer"));
    }

    /**
     * The cluster's queue called {@code name} (made on first use; unbounded).
     *
     * @param name the queue's name, the same in every JVM that uses it
     * @param <T> the type of its items
     * @return a view of the queue
     */
    public <T> BlockingQueue<T> queue(String name) {
        return new ClusterQueue<>(hz.getQueue("mp4j.q." + name), payloads());
    }

    /**
     * The cluster's dict called {@code name} (made on first use). Keys must encode the same way whenever
     * they are equal: strings, numbers, enums, records of those.
     *
     * @param name the dict's name, the same in every JVM that uses it
     * @param <K> the type of its keys
     * @param <V> the type of its values
     * @return a view of the dict
     */
    public <K, V> ConcurrentMap<K, V> dict(String name) {
        return new ClusterDict<>(hz.getMap("mp4j.d." + name), payloads());
    }

    /**
     * Removes the queue or dict called {@code name} and its items from the cluster.
     *
     * @param name the name given to {@link #queue} or {@link #dict}
     */
    public void destroy(String name) {
        hz.getQueue("mp4j.q." + name).destroy();
        hz.getMap("mp4j.d." + name).destroy();
    }

    @Override
    public String toString() {
        return "ClusterData[" + hz.getName() + (serializer != null ? ", " + serializer.getSimpleName() : "") + "]";
    }
}
