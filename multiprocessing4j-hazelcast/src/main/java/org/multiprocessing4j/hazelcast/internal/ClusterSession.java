package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IList;
import com.hazelcast.collection.IQueue;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Serializer;

/**
 * This JVM's connection to one cluster, as a member or a client, and the maker of the cluster's named
 * structures: every queue, dict, list, lock and semaphore view is made here, so that a view that travelled
 * to another JVM ({@link StructureRef}) is remade there from the cluster's name. The sessions of this JVM
 * are registered by cluster name while connected (several per name: a view arriving is remade with the
 * oldest open one). The views made here fail with {@link IllegalStateException} once the session is
 * {@linkplain #close(Duration) closed}. Thread-safe.
 *
 * <p>Names on the cluster: {@code mp4j.q.} queue, {@code mp4j.jq.} a joinable queue's unfinished count,
 * {@code mp4j.d.} dict, {@code mp4j.li.} list, {@code mp4j.l.} lock (an {@code IMap} whose key lock it is),
 * {@code mp4j.s.} semaphore permits (an {@code IQueue}) and its settings (an {@code IMap}), {@code mp4j.e.}
 * event (an {@code IMap}); a namespace is a dict.
 */
public final class ClusterSession {
    /** The sessions of this JVM by cluster name, oldest first (several connections to one cluster may be open). */
    private static final Map<String, List<ClusterSession>> SESSIONS = new ConcurrentHashMap<>();
    private static final Set<String> UNGUARDED = Set.of("getName", "getPartitionKey", "getServiceName", "toString", "hashCode", "equals");

    private final String cluster;
    private final HazelcastInstance hz;
    private final Frames frames;
    private final Map<String, Payloads> payloads = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Calls of this session's views on the cluster now running (see {@link #close(Duration)}). */
    private final AtomicInteger calls = new AtomicInteger();
    /** Whether the scopes of the anonymous structures remade here have ended ({@link ScopeEnds}). */
    private final ScopeEnds.Watch ends;

    public ClusterSession(String cluster, HazelcastInstance hz, Frames frames) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.hz = hz;
        this.frames = frames;
        this.ends = new ScopeEnds.Watch(hz);
    }

    /** Adds this session to those that views arriving in this JVM for its cluster are remade with. */
    public void register() {
        SESSIONS.computeIfAbsent(cluster, k -> new CopyOnWriteArrayList<>()).add(this);
    }

    /** Undoes {@link #register()}: views arriving later are remade with another open session of the cluster, if any. */
    public void unregister() {
        SESSIONS.computeIfPresent(cluster, (k, list) -> {
            list.remove(this);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * Closes this session's views: it is unregistered, every later call of a view made here fails with
     * {@link IllegalStateException}, and this waits (at most {@code grace}) for the calls already running
     * to end. A waiter blocked in a lock, semaphore, queue or join thus fails at its next slice instead of
     * seeing the structures destroyed after this (a destroyed structure comes back empty: a free lock,
     * a join count of 0) and returning as if it had succeeded.
     *
     * @return true if no call was still running after {@code grace}
     */
    public boolean close(Duration grace) throws InterruptedException {
        closed = true;
        unregister();
        long deadline = Saturating.deadline(Saturating.nanos(grace));
        while (calls.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return calls.get() == 0;
    }

    /**
     * This JVM's registered session with {@code cluster}: the oldest open one.
     *
     * @throws IllegalStateException if this JVM is neither a member nor a connected client of it
     */
    static ClusterSession of(String cluster) {
        List<ClusterSession> sessions = SESSIONS.getOrDefault(cluster, List.of());
        for (ClusterSession session : sessions) {
            if (!session.closed) {
                return session;
            }
        }
        throw new IllegalStateException("a queue, lock or dict of Hazelcast cluster \"" + cluster + "\" reached JVM "
                + ProcessHandle.current().pid() + ", which is neither a member nor a connected client of it");
    }

    /**
     * {@code structure} seen through this session: each call first checks that the session is open
     * (else {@link IllegalStateException}) and is counted while it runs.
     */
    private <S> S guard(Class<S> type, S structure, ScopeEnds.Flag scope) {
        return guard(type, structure, false, scope);
    }

    /**
     * {@link #guard(Class, Object, ScopeEnds.Flag)}, and with {@code shielded} each call also runs as a
     * {@link ShieldedCall#quietly}: for the structures whose calls do not wait (a dict's, a list's, an event's
     * flag), so that a caller with an interrupt pending or arriving gets the call done, once, and keeps the
     * interrupt, instead of a {@code HazelcastException} for a call that may have taken effect anyway. The
     * blocking structures (queues, locks, semaphores) shield their own calls, slice by slice ({@link Waiting}).
     * With a {@code scope} flag (an anonymous structure), a call after its scope ended throws
     * ({@link ScopeEnds.Flag#check}) instead of making the structure again on the cluster.
     */
    @SuppressWarnings("unchecked")
    private <S> S guard(Class<S> type, S structure, boolean shielded, ScopeEnds.Flag scope) {
        return (S) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            boolean counted = !UNGUARDED.contains(method.getName());
            if (counted) {
                calls.incrementAndGet();
            }
            try {
                if (counted && closed) {
                    throw new IllegalStateException("the connection to Hazelcast cluster \"" + cluster
                            + "\" was closed: its queues, locks, semaphores and dicts can no longer be used through it");
                }
                if (counted && scope != null && scope.ended()) {
                    // NOTE: the flag ends by an entry event, which may come after the destroy: a call of this view that
                    // passed here in between made the structure again, empty (a clean-clone CI run listed a shut-down
                    // manager's queue after its waiter had ended). Any such call of this thread is over now: destroy
                    // what it may have made, then refuse.
                    destroyQuietly((com.hazelcast.core.DistributedObject) structure);
                    scope.check(((com.hazelcast.core.DistributedObject) structure).getName());
                }
                return shielded ? ShieldedCall.quietly(() -> invoke(method, structure, args)) : invoke(method, structure, args);
            } finally {
                if (counted) {
                    calls.decrementAndGet();
                }
            }
        });
    }

    private static void destroyQuietly(com.hazelcast.core.DistributedObject structure) {
        try {
            ShieldedCall.quietly(() -> {
                structure.destroy();
                return null;
            });
        } catch (RuntimeException outOfReach) {
            // the cluster is out of reach: nothing to clean up there now
        }
    }

    /** Calls {@code method} on {@code target}, throwing what it threw (Hazelcast's structures throw unchecked only). */
    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws IllegalAccessException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("cluster call failed: " + e.getCause(), e.getCause());
        }
    }

    // NOTE: every proxy is made in a ShieldedCall: a client makes a proxy with a cluster call the first time, which
    // in an interrupted thread throws a HazelcastException (status cleared) instead of making a view.

    private <E> IQueue<E> queueNamed(String name, ScopeEnds.Flag scope) {
        return guard(IQueue.class, ShieldedCall.quietly(() -> hz.<E>getQueue(name)), scope);
    }

    private <K, V> IMap<K, V> mapNamed(String name, ScopeEnds.Flag scope) {
        return guard(IMap.class, ShieldedCall.quietly(() -> hz.<K, V>getMap(name)), scope);
    }

    private <K, V> IMap<K, V> shieldedMapNamed(String name, ScopeEnds.Flag scope) {
        return guard(IMap.class, ShieldedCall.quietly(() -> hz.<K, V>getMap(name)), true, scope);
    }

    /** The flag of {@code name} in this JVM's watch (null for a named structure): for a view made from a name, not by its scope. */
    private ScopeEnds.Flag watched(String name) {
        return ends.flag(name);
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
        return queue(name, serializer, watched(name));
    }

    /** The queue {@code name}, whose scope's end {@code scope} tells (null: none). */
    <T> ClusterQueue<T> queue(String name, Class<? extends Serializer> serializer, ScopeEnds.Flag scope) {
        return new ClusterQueue<>(queueNamed("mp4j.q." + name, scope), payloads(serializer), null,
                new StructureRef(cluster, StructureRef.Kind.QUEUE, name, serializer, 0));
    }

    /**
     * Bounds the queue {@code name} to {@code maxsize} items (nothing for 0), before its first use: a
     * Hazelcast queue's bound is configuration, added here cluster-wide through Hazelcast's dynamic
     * configuration (which is never removed: a few hundred bytes per bounded queue on every member).
     */
    void boundQueue(String name, int maxsize) {
        if (maxsize > 0) {
            // NOTE: shielded: a client's config call in an interrupted thread is sent, then throws a HazelcastException
            ShieldedCall.quietly(() -> hz.getConfig().addQueueConfig(new QueueConfig("mp4j.q." + name).setMaxSize(maxsize)));
        }
    }

    public <T> ClusterQueue<T> joinableQueue(String name, Class<? extends Serializer> serializer) {
        return joinableQueue(name, serializer, watched(name));
    }

    <T> ClusterQueue<T> joinableQueue(String name, Class<? extends Serializer> serializer, ScopeEnds.Flag scope) {
        IMap<String, Long> unfinished = mapNamed("mp4j.jq." + name, scope);
        return new ClusterQueue<>(queueNamed("mp4j.q." + name, scope), payloads(serializer), unfinished,
                new StructureRef(cluster, StructureRef.Kind.JOINABLE_QUEUE, name, serializer, 0));
    }

    public <K, V> ClusterDict<K, V> dict(String name, Class<? extends Serializer> serializer) {
        return dict(name, serializer, watched(name));
    }

    <K, V> ClusterDict<K, V> dict(String name, Class<? extends Serializer> serializer, ScopeEnds.Flag scope) {
        return new ClusterDict<>(shieldedMapNamed("mp4j.d." + name, scope), payloads(serializer),
                new StructureRef(cluster, StructureRef.Kind.DICT, name, serializer, 0));
    }

    public <T> ClusterList<T> list(String name, Class<? extends Serializer> serializer) {
        return list(name, serializer, watched(name));
    }

    <T> ClusterList<T> list(String name, Class<? extends Serializer> serializer, ScopeEnds.Flag scope) {
        IList<byte[]> list = ShieldedCall.quietly(() -> hz.<byte[]>getList("mp4j.li." + name));
        return new ClusterList<>(guard(IList.class, list, true, scope), payloads(serializer),
                new StructureRef(cluster, StructureRef.Kind.LIST, name, serializer, 0));
    }

    /** The namespace {@code name} (a manager's {@code namespace()}): attributes in the dict of that name. */
    public ClusterNamespace namespace(String name, Class<? extends Serializer> serializer) {
        return namespace(name, serializer, watched(name));
    }

    ClusterNamespace namespace(String name, Class<? extends Serializer> serializer, ScopeEnds.Flag scope) {
        return new ClusterNamespace(dict(name, serializer, scope), new StructureRef(cluster, StructureRef.Kind.NAMESPACE, name, serializer, 0));
    }

    /** The event {@code name}. */
    public ClusterEvent event(String name) {
        return event(name, watched(name));
    }

    ClusterEvent event(String name, ScopeEnds.Flag scope) {
        return new ClusterEvent(shieldedMapNamed("mp4j.e." + name, scope), new StructureRef(cluster, StructureRef.Kind.EVENT, name, null, 0));
    }

    /** The reentrant lock {@code name} (an RLock). */
    public ClusterLock rlock(String name) {
        return rlock(name, watched(name));
    }

    ClusterLock rlock(String name, ScopeEnds.Flag scope) {
        return new ClusterLock(mapNamed("mp4j.l." + name, scope), name, new StructureRef(cluster, StructureRef.Kind.RLOCK, name, null, 0));
    }

    /** The non-reentrant lock {@code name} (a Lock: released by anyone). */
    public ClusterMutex mutex(String name) {
        return mutex(name, watched(name));
    }

    ClusterMutex mutex(String name, ScopeEnds.Flag scope) {
        return new ClusterMutex(mapNamed("mp4j.l." + name, scope), name, new StructureRef(cluster, StructureRef.Kind.LOCK, name, null, 0));
    }

    /**
     * The semaphore {@code name}, made with {@code permits} by the first JVM that asks (a bounded one may
     * never hold more).
     *
     * @throws IllegalArgumentException if it was made with another number of permits or boundedness
     */
    public ClusterPermits permits(String name, int permits, boolean bounded) {
        return permits(name, permits, bounded, watched(name));
    }

    /**
     * The permits semaphore {@code name} was made with, or null if this call makes it with {@code permits}.
     *
     * @throws SecurityException (logged) if the setting holds a value this library did not write (anyone who
     *         reaches the cluster can write one): never a ClassCastException to the caller
     */
    @SuppressWarnings("unchecked")
    private static Integer permitsSetting(IMap<String, Integer> settings, String name, int permits) {
        Object made;
        try {
            made = ((IMap<String, Object>) (IMap<String, ?>) settings).putIfAbsent("permits", permits);
        } catch (com.hazelcast.nio.serialization.HazelcastSerializationException e) {
            made = e;
        }
        if (made == null || made instanceof Integer) {
            return (Integer) made;
        }
        WorkerLog.warn("semaphore " + name + ": its settings hold a " + made.getClass().getName() + " (not written by this library); not read");
        throw new SecurityException("semaphore " + name + " holds a setting not written by this library (a "
                + made.getClass().getName() + ")");
    }

    ClusterPermits permits(String name, int permits, boolean bounded, ScopeEnds.Flag scope) {
        if (permits > ClusterPermits.MAX_INITIAL_PERMITS) {
            throw new IllegalArgumentException("semaphore " + name + ": " + permits + " permits are more than the "
                    + ClusterPermits.MAX_INITIAL_PERMITS + " a cluster semaphore can start with (each permit is an item of a Hazelcast queue)");
        }
        IQueue<byte[]> tokens = queueNamed("mp4j.s." + name, scope);
        IMap<String, Integer> settings = mapNamed("mp4j.s." + name, scope);
        ClusterPermits semaphore = new ClusterPermits(tokens, settings, frames, bounded ? permits : -1,
                new StructureRef(cluster, StructureRef.Kind.SEMAPHORE, name, null, bounded ? permits : -1));
        // NOTE: one shielded call: in an interrupted thread the client sends the putIfAbsent and then throws a
        // HazelcastException, so the setting was stored and the permits never put in the queue (a semaphore found
        // later by name had none, for good); an interrupt meanwhile is kept for the caller.
        Integer made = ShieldedCall.quietly(() -> {
            Integer setting = permitsSetting(settings, name, permits);
            if (setting == null) {
                settings.put("bound", bounded ? permits : -1);
                semaphore.fill(permits);
            }
            return setting;
        });
        if (made != null && made != permits) {
            throw new IllegalArgumentException("semaphore " + name + " was made with " + made + " permits, not " + permits);
        }
        return semaphore;
    }

    /** The semaphore {@code name} as made before, for a view that travelled here (no settings read). */
    ClusterPermits existingPermits(String name, int bound) {
        ScopeEnds.Flag scope = watched(name);
        return new ClusterPermits(queueNamed("mp4j.s." + name, scope), mapNamed("mp4j.s." + name, scope), frames, bound,
                new StructureRef(cluster, StructureRef.Kind.SEMAPHORE, name, null, bound));
    }

    /**
     * Removes the structure {@code name} of {@code kind} and its items from the cluster (a lock held then is
     * released). Shielded ({@link ShieldedCall#quietly}): an interrupt pending or arriving is kept for the caller.
     */
    public void destroy(StructureRef.Kind kind, String name) {
        // NOTE: a client's destroy in an interrupted thread sends its request, then throws a HazelcastException with
        // the status cleared: a joinable queue's count map or a semaphore's settings (the second destroy) stayed on
        // the cluster, and a scope closed from an interrupted thread (each tombstone, shielded, sets the status
        // again) left every one of its structures there.
        ShieldedCall.quietly(() -> destroyNow(kind, name));
    }

    private void destroyNow(StructureRef.Kind kind, String name) {
        switch (kind) {
            case QUEUE -> destroyNamed(NamedDestroy.QUEUE, "mp4j.q." + name);
            case JOINABLE_QUEUE -> {
                destroyNamed(NamedDestroy.QUEUE, "mp4j.q." + name);
                destroyNamed(NamedDestroy.MAP, "mp4j.jq." + name);
            }
            case DICT, NAMESPACE -> destroyNamed(NamedDestroy.MAP, "mp4j.d." + name);
            case LIST -> destroyNamed(NamedDestroy.LIST, "mp4j.li." + name);
            case LOCK, RLOCK -> destroyNamed(NamedDestroy.MAP, "mp4j.l." + name);
            case EVENT -> destroyNamed(NamedDestroy.MAP, "mp4j.e." + name);
            case SEMAPHORE -> {
                destroyNamed(NamedDestroy.QUEUE, "mp4j.s." + name);
                destroyNamed(NamedDestroy.MAP, "mp4j.s." + name);
            }
        }
    }

    private void destroyNamed(String service, String name) {
        NamedDestroy.destroy(hz, service, name);
    }

    @Override
    public String toString() {
        return "ClusterSession[" + cluster + "]";
    }
}
