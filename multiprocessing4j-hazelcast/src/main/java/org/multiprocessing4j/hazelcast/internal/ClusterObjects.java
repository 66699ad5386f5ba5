package org.multiprocessing4j.hazelcast.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import org.multiprocessing4j.Namespace;
import org.multiprocessing4j.Serializer;
import org.multiprocessing4j.internal.remote.EventBackend;
import org.multiprocessing4j.internal.remote.JoinableBackend;
import org.multiprocessing4j.internal.remote.LockBackend;
import org.multiprocessing4j.internal.remote.RemoteObjects;
import org.multiprocessing4j.internal.remote.SemaphoreBackend;

/**
 * A cluster context's queues, locks, semaphores, events and manager dicts, lists and namespaces: each a new structure on the
 * cluster under a random name ({@code anon.<uuid>}), remembered by this scope so that {@link #close()}
 * destroys it (the root scope when the {@code HazelcastWorkers} connection closes, a manager's scope at
 * its shutdown). A structure outlives its scope in no JVM: a call of a view after the scope closed throws
 * ({@code ManagerUnavailableException} for a manager's, {@code IllegalStateException} for a connection's)
 * instead of making it again (Hazelcast recreates a structure on first use), and a wait on one ends with that
 * exception ({@link ScopeEnds}: the scope leaves a tombstone of each before it destroys it; the views made
 * here see the scope's own flag, set first). If the JVM that made a scope dies, its structures stay
 * on the cluster until destroyed by name or the cluster restarts. Thread-safe.
 */
public final class ClusterObjects implements RemoteObjects {
    /** The prefix of the names of a scope's structures (a random UUID follows). */
    static final String ANONYMOUS = "anon.";
    private final ClusterSession session;
    private final String description;
    /** A manager's scope (its end makes waiters throw ManagerUnavailableException), not a connection's. */
    private final boolean manager;
    private final List<StructureRef> made = new ArrayList<>();
    /** Set by {@link #close()} before anything is destroyed: the views made here throw from then on. */
    private final ScopeEnds.Flag ended = new ScopeEnds.Flag();
    private boolean closed;

    /**
     * The root scope of a connection.
     *
     * @param description the connection, as messages name it
     */
    public ClusterObjects(ClusterSession session, String description) {
        this(session, description, false);
    }

    private ClusterObjects(ClusterSession session, String description, boolean manager) {
        this.session = session;
        this.description = description;
        this.manager = manager;
    }

    private String name(StructureRef.Kind kind) {
        String name = ANONYMOUS + UUID.randomUUID();
        synchronized (made) {
            if (closed) {
                throw new IllegalStateException("the objects of " + description + " are closed (the connection or the manager was closed)");
            }
            made.add(new StructureRef(session.cluster(), kind, name, null, 0));
        }
        return name;
    }

    @Override
    public <T> BlockingQueue<T> queue(int maxsize, Class<? extends Serializer> serializer) {
        String name = name(StructureRef.Kind.QUEUE);
        session.boundQueue(name, maxsize);
        return session.queue(name, serializer, ended);
    }

    @Override
    public <T> JoinableBackend<T> joinableQueue(int maxsize, Class<? extends Serializer> serializer) {
        String name = name(StructureRef.Kind.JOINABLE_QUEUE);
        session.boundQueue(name, maxsize);
        return session.joinableQueue(name, serializer, ended);
    }

    @Override
    public LockBackend lock(boolean reentrant) {
        return reentrant ? session.rlock(name(StructureRef.Kind.RLOCK), ended) : session.mutex(name(StructureRef.Kind.LOCK), ended);
    }

    @Override
    public SemaphoreBackend semaphore(int value, boolean bounded) {
        return session.permits(name(StructureRef.Kind.SEMAPHORE), value, bounded, ended);
    }

    @Override
    public <K, V> ConcurrentMap<K, V> dict(Class<? extends Serializer> serializer) {
        return session.dict(name(StructureRef.Kind.DICT), serializer, ended);
    }

    @Override
    public Namespace namespace(Class<? extends Serializer> serializer) {
        return session.namespace(name(StructureRef.Kind.NAMESPACE), serializer, ended);
    }

    @Override
    public EventBackend event() {
        return session.event(name(StructureRef.Kind.EVENT), ended);
    }

    @Override
    public <E> List<E> list(Class<? extends Serializer> serializer) {
        return session.list(name(StructureRef.Kind.LIST), serializer, ended);
    }

    @Override
    public RemoteObjects scope() {
        return new ClusterObjects(session, description, true);
    }

    @Override
    public void close() {
        List<StructureRef> all;
        synchronized (made) {
            if (closed) {
                return;
            }
            closed = true;
            ended.end(manager, description);
            all = List.copyOf(made);
            made.clear();
        }
        for (StructureRef ref : all) {
            try {
                ScopeEnds.mark(session.hazelcast(), ref.name(), manager, description);
                session.destroy(ref.kind(), ref.name());
            } catch (RuntimeException e) {
                WorkerLog.warn("could not destroy " + ref.kind() + " " + ref.name() + " on " + description + ": " + e);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "ClusterObjects[" + description + "]";
    }
}
