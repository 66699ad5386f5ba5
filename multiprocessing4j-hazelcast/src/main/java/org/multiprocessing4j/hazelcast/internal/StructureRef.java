package org.multiprocessing4j.hazelcast.internal;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import org.multiprocessing4j.Serializer;

/**
 * What a view of a cluster structure is on the wire (its {@code writeReplace}): the cluster's name, the
 * kind and name of the structure, and how its items are encoded. Decoding remakes the view with this
 * JVM's {@link ClusterSession} for that cluster, so a queue or lock captured by a task reaches the same
 * structure on the member that runs it. Nothing of the authkey travels.
 *
 * @param cluster    the cluster's name
 * @param kind       what the structure is
 * @param name       its name on the cluster (without the kind's prefix)
 * @param serializer the serializer of its items; null: the default context's
 * @param bound      a bounded semaphore's bound, else -1 (0 for the other kinds)
 */
public record StructureRef(String cluster, Kind kind, String name, Class<? extends Serializer> serializer, int bound)
        implements Serializable {
    /** The kinds of cluster structures. */
    public enum Kind {
        QUEUE, JOINABLE_QUEUE, DICT, LIST, LOCK, RLOCK, SEMAPHORE, NAMESPACE, EVENT
    }

    @Serial
    private Object readResolve() throws ObjectStreamException {
        ClusterSession session = ClusterSession.of(cluster);
        return switch (kind) {
            case QUEUE -> session.queue(name, serializer);
            case JOINABLE_QUEUE -> session.joinableQueue(name, serializer);
            case DICT -> session.dict(name, serializer);
            case LIST -> session.list(name, serializer);
            case LOCK -> session.mutex(name);
            case RLOCK -> session.rlock(name);
            case SEMAPHORE -> session.existingPermits(name, bound);
            case NAMESPACE -> session.namespace(name, serializer);
            case EVENT -> session.event(name);
        };
    }
}
