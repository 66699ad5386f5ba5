package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Serializer;

/**
 * This JVM's connection to one cluster, as a member or a client, and the maker of the cluster's named
 * structures: every queue, dict, list, lock and semaphore view is made here, so that a view that travelled
 * to another JVM ({@link StructureRef}) is remade there from the cluster's name. The sessions of this JVM
 * are registered by cluster name while connected. Thread-safe.
 *
 * <p>Names on the cluster: {@code mp4j.q.} queue, {@code mp4j.jq.} a joinable queue's unfinished count,
 * {@code mp4j.d.} dict, {@code mp4j.li.} list, {@code mp4j.l.} lock (an {@code IMap} whose key lock it is),
 * {@code mp4j.s.} semaphore permits (an {@code IQueue}) and its settings (an {@code IMap}), {@code mp4j.e.}
 * event (an {@code IMap}); a namespace is a dict.
 */
public final class ClusterSession {
    private static final Map<String, ClusterSession> SESSIONS = new ConcurrentHashMap<>();

    private final String cluster;
    private final HazelcastInstance hz;
    private final Frames frames;
    private final Map<String, Payloads> payloads = new ConcurrentHashMap<>();

    public ClusterSession(String cluster, HazelcastInstance hz, Frames frames) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.hz = hz;
        this.frames = frames;
    }

    /** Makes this session the one that views arriving in this JVM for its cluster are remade with. */
    public void register() {
        SESSIONS.put(cluster, this);
    }

    /** Undoes {@link #register()} (if this session is still the registered one). */
    public void unregister() {
        SESSIONS.remove(cluster, this);
    }

    /**
     * This JVM's registered session with {@code cluster}.
     *
     * @throws IllegalStateException if this JVM is neither a member nor a connected client of it
     */
    static ClusterSession of(String cluster) {
        ClusterSession session = SESSIONS.get(cluster);
        if (session == null) {
            throw new IllegalStateException("a queue, lock or dict of Hazelcast cluster \"" + cluster + "\" reached JVM "
                    + ProcessHandle.current().pid() + ", which is neither a member nor a connected client of it");
        }
        return session;
    }

    public String cluster() {
        return cluster;
    }

    public HazelcastInstance hazelcast() {
        return hz;
    }

    public Frames frames() {
        return frames;
    }

    /** Item encoding and signing with {@code serializer} (null: the default context's). */
    Payloads payloads(Class<? extends Serializer> serializer) {
        Class<? extends Serializer> type = serializer != null ? serializer : Multiprocessing.defaultContext().serializer();
        return payloads.computeIfAbsent(type.getName(), n -> new Payloads(frames, type));
    }

    public <T> ClusterQueue<T> queue(String name, Class<? extends Serializer> serializer) {
        return new ClusterQueue<>(hz.getQueue("mp4j.q." + name), payloads(serializer), null,
                new StructureRef(cluster, StructureRef.Kind.QUEUE, name, serializer, 0));
    }

    /**
     * Bounds the queue {@code name} to {@code maxsize} items (nothing for 0), before its first use: a
     * Hazelcast queue's bound is configuration, added here cluster-wide through Hazelcast's dynamic
     * configuration (which is never removed: a few hundred bytes per bounded queue on every member).
     */
    void boundQueue(String name, int maxsize) {
        if (maxsize > 0) {
            hz.getConfig().addQueueConfig(new QueueConfig("mp4j.q." + name).setMaxSize(maxsize));
        }
    }

    public <T> ClusterQueue<T> joinableQueue(String name, Class<? extends Serializer> serializer) {
        IMap<String, Long> unfinished = hz.getMap("mp4j.jq." + name);
        return new ClusterQueue<>(hz.getQueue("mp4j.q." + name), payloads(serializer), unfinished,
                new StructureRef(cluster, StructureRef.Kind.JOINABLE_QUEUE, name, serializer, 0));
    }

    public <K, V> ClusterDict<K, V> dict(String name, Class<? extends Serializer> serializer) {
        return new ClusterDict<>(hz.getMap("mp4j.d." + name), payloads(serializer),
                new StructureRef(cluster, StructureRef.Kind.DICT, name, serializer, 0));
    }

    public <T> ClusterList<T> list(String name, Class<? extends Serializer> serializer) {
        return new ClusterList<>(hz.getList("mp4j.li." + name), payloads(serializer),
                new StructureRef(cluster, StructureRef.Kind.LIST, name, serializer, 0));
    }

    /** The namespace {@code name} (a manager's {@code namespace()}): attributes in the dict of that name. */
    public ClusterNamespace namespace(String name, Class<? extends Serializer> serializer) {
        return new ClusterNamespace(dict(name, serializer), new StructureRef(cluster, StructureRef.Kind.NAMESPACE, name, serializer, 0));
    }

    /** The event {@code name}. */
    public ClusterEvent event(String name) {
        return new ClusterEvent(hz.getMap("mp4j.e." + name), new StructureRef(cluster, StructureRef.Kind.EVENT, name, null, 0));
    }

    /** The reentrant lock {@code name} (an RLock). */
    public ClusterLock rlock(String name) {
        return new ClusterLock(hz.getMap("mp4j.l." + name), name, new StructureRef(cluster, StructureRef.Kind.RLOCK, name, null, 0));
    }

    /** The non-reentrant lock {@code name} (a Lock: released by anyone). */
    public ClusterMutex mutex(String name) {
        return new ClusterMutex(hz.getMap("mp4j.l." + name), name, new StructureRef(cluster, StructureRef.Kind.LOCK, name, null, 0));
    }

    /**
     * The semaphore {@code name}, made with {@code permits} by the first JVM that asks (a bounded one may
     * never hold more).
     *
     * @throws IllegalArgumentException if it was made with another number of permits or boundedness
     */
    public ClusterPermits permits(String name, int permits, boolean bounded) {
        IQueue<byte[]> tokens = hz.getQueue("mp4j.s." + name);
        IMap<String, Integer> settings = hz.getMap("mp4j.s." + name);
        ClusterPermits semaphore = new ClusterPermits(tokens, settings, frames, bounded ? permits : -1,
                new StructureRef(cluster, StructureRef.Kind.SEMAPHORE, name, null, bounded ? permits : -1));
        Integer made = settings.putIfAbsent("permits", permits);
        if (made == null) {
            settings.put("bound", bounded ? permits : -1);
            semaphore.fill(permits);
        } else if (made != permits) {
            throw new IllegalArgumentException("semaphore " + name + " was made with " + made + " permits, not " + permits);
        }
        return semaphore;
    }

    /** The semaphore {@code name} as made before, for a view that travelled here (no settings read). */
    ClusterPermits existingPermits(String name, int bound) {
        return new ClusterPermits(hz.getQueue("mp4j.s." + name), hz.getMap("mp4j.s." + name), frames, bound,
                new StructureRef(cluster, StructureRef.Kind.SEMAPHORE, name, null, bound));
    }

    /** Removes the structure {@code name} of {@code kind} and its items from the cluster (a lock held then is released). */
    public void destroy(StructureRef.Kind kind, String name) {
        switch (kind) {
            case QUEUE -> hz.getQueue("mp4j.q." + name).destroy();
            case JOINABLE_QUEUE -> {
                hz.getQueue("mp4j.q." + name).destroy();
                hz.getMap("mp4j.jq." + name).destroy();
            }
            case DICT, NAMESPACE -> hz.getMap("mp4j.d." + name).destroy();
            case LIST -> hz.getList("mp4j.li." + name).destroy();
            case LOCK, RLOCK -> hz.getMap("mp4j.l." + name).destroy();
            case EVENT -> hz.getMap("mp4j.e." + name).destroy();
            case SEMAPHORE -> {
                hz.getQueue("mp4j.s." + name).destroy();
                hz.getMap("mp4j.s." + name).destroy();
            }
        }
    }

    @Override
    public String toString() {
        return "ClusterSession[" + cluster + "]";
    }
}
