package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.ManagerUnavailableException;

/**
 * Tombstones of the structures a scope destroyed when it closed ({@link ClusterObjects#close()}: a cluster
 * manager shut down, or the connection that made a context's queues and locks closed), kept in one cluster
 * map for {@value #TTL_HOURS} hours, so that a JVM still waiting on such a structure ends its wait with an
 * exception instead of waiting for ever on the empty structure Hazelcast silently recreates on first use.
 * Only a scope's anonymous structures ({@code anon.<uuid>}, never reused) get tombstones: a named structure
 * destroyed by name may be made again under that name. Stateless, thread-safe.
 *
 * <p>Waits check after every slice that got nothing ({@link Waiting}), and when Hazelcast ends a call on a
 * destroyed structure: a waiter ends within about a slice of the close. Calls that do not wait see the
 * structure empty, as documented on {@code Manager.close()}.
 */
final class ScopeEnds {
    static final String MAP = "mp4j.ended";
    static final long TTL_HOURS = 24;
    private static final String MANAGER = "M";
    private static final String CONNECTION = "C";

    private ScopeEnds() {
    }

    /** Records that the scope {@code description} (a manager's if {@code manager}) ended structure {@code name}; before it is destroyed. */
    static void mark(HazelcastInstance hz, String name, boolean manager, String description) {
        IMap<String, String> ended = hz.getMap(MAP);
        ShieldedCall.quietly(() -> ended.put(name, (manager ? MANAGER : CONNECTION) + description, TTL_HOURS, TimeUnit.HOURS));
    }

    /**
     * Throws if the scope of {@code ref}'s structure has ended, after destroying the structure again.
     *
     * @throws ManagerUnavailableException if its manager was shut down
     * @throws IllegalStateException if the connection that made it was closed
     */
    static void check(StructureRef ref) {
        if (ref == null || !ref.name().startsWith(ClusterObjects.ANONYMOUS)) {
            return;
        }
        ClusterSession session = ClusterSession.of(ref.cluster());
        IMap<String, String> ended = session.hazelcast().getMap(MAP);
        String why = ShieldedCall.quietly(() -> ended.get(ref.name()));
        if (why == null) {
            return;
        }
        // NOTE: the wait's last call may have come after the destroy, and so made the structure again (empty)
        ShieldedCall.quietly(() -> session.destroy(ref.kind(), ref.name()));
        String what = "the " + ref.kind().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + ref.name();
        if (why.startsWith(MANAGER)) {
            throw new ManagerUnavailableException(what + " is gone: its manager (on " + why.substring(1) + ") was shut down");
        }
        throw new IllegalStateException(what + " is gone: the connection that made it (" + why.substring(1) + ") was closed");
    }
}
