package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.ManagerUnavailableException;

/**
 * Tombstones of the structures a scope destroyed when it closed ({@link ClusterObjects#close()}: a cluster
 * manager shut down, or the connection that made a context's queues and locks closed), kept in one cluster
 * map for {@value #TTL_HOURS} hours, so that a JVM still waiting on such a structure ends its wait with an
 * exception instead of waiting for ever on the empty structure Hazelcast silently recreates on first use,
 * and a call of a view after the close throws instead of making the structure again.
 * Only a scope's anonymous structures ({@code anon.<uuid>}, never reused) get tombstones: a named structure
 * destroyed by name may be made again under that name. Thread-safe.
 *
 * <p>Waits check after every slice that got nothing ({@link Waiting}), and when Hazelcast ends a call on a
 * destroyed structure: a waiter ends within about a slice of the close. Every other call of a view checks a
 * {@link Flag} first, in memory (no round trip): in the JVM whose scope made the structure, the scope's own
 * flag, set by its close before it destroys anything; in another JVM (a view that travelled there), a flag of
 * its session's {@link Watch}, set when the tombstone is found as the view is remade (one {@code get} per view
 * remade) or when the tombstone's entry event arrives (one listener on {@value #MAP} per JVM). So a call after
 * the close throws instead of recreating the structure on the cluster (a write would leave it there for
 * good): in another JVM at once for a view that arrived after the close, within the event's delivery (a few ms)
 * for one that was there before.
 */
final class ScopeEnds {
    static final String MAP = "mp4j.ended";
    static final long TTL_HOURS = 24;
    private static final String MANAGER = "M";
    private static final String CONNECTION = "C";

    private ScopeEnds() {
    }

    /**
     * Whether the scope of one or more structures has ended, as known in this JVM. Thread-safe; once ended it stays
     * ended.
     */
    static final class Flag {
        /** Null while the scope lasts; then the tombstone's value (kind letter and the scope's description). */
        private volatile String why;

        /** The scope ended ({@code manager}: a manager's); its description is {@code description}. */
        void end(boolean manager, String description) {
            end((manager ? MANAGER : CONNECTION) + description);
        }

        private void end(String tombstone) {
            if (why == null) {
                why = tombstone;
            }
        }

        boolean ended() {
            return why != null;
        }

        /**
         * Throws if the scope has ended.
         *
         * @param what the structure called, for the message
         * @throws ManagerUnavailableException if its manager was shut down
         * @throws IllegalStateException if the connection that made it was closed
         */
        void check(String what) {
            String w = why;
            if (w != null) {
                throw failure(what, w);
            }
        }
    }

    /**
     * The flags of the anonymous structures whose views one session remade in this JVM, kept by one entry
     * listener on {@value #MAP}. A flag is forgotten once its scope ended (views keep it); a structure whose
     * scope never ends (its JVM died) keeps its entry, a few dozen bytes. Thread-safe.
     */
    static final class Watch {
        private final HazelcastInstance hz;
        private final java.util.concurrent.ConcurrentHashMap<String, Flag> open = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile boolean listening;

        Watch(HazelcastInstance hz) {
            this.hz = hz;
        }

        /** The flag of the structure {@code name} (its name without the kind's prefix); null for a named structure (never ended so). */
        Flag flag(String name) {
            if (!name.startsWith(ClusterObjects.ANONYMOUS)) {
                return null;
            }
            Flag flag = open.computeIfAbsent(name, n -> new Flag());
            listen();
            // NOTE: after the listener is in place: a tombstone put meanwhile is seen here or by it
            String why = ShieldedCall.quietly(() -> tombstone(hz.getMap(MAP), name));
            if (why != null) {
                open.remove(name);
                flag.end(why);
            }
            return flag;
        }

        private void listen() {
            if (listening) {
                return;
            }
            synchronized (this) {
                if (!listening) {
                    ShieldedCall.quietly(() -> hz.<String, String>getMap(MAP).addEntryListener(new Ends(), true));
                    listening = true;
                }
            }
        }

        private final class Ends implements com.hazelcast.map.listener.EntryAddedListener<String, String>,
                com.hazelcast.map.listener.EntryUpdatedListener<String, String> {
            @Override
            public void entryAdded(com.hazelcast.core.EntryEvent<String, String> event) {
                ended(event);
            }

            @Override
            public void entryUpdated(com.hazelcast.core.EntryEvent<String, String> event) {
                ended(event);
            }

            private void ended(com.hazelcast.core.EntryEvent<String, String> event) {
                com.hazelcast.core.EntryEvent<?, ?> raw = event; // no cast: the key and value may be anything
                Object key;
                Object value;
                try {
                    key = raw.getKey();
                    value = raw.getValue();
                } catch (HazelcastSerializationException e) {
                    WorkerLog.warn("ignored an entry of " + MAP + " (" + e.getMessage() + "), not a tombstone of this library");
                    return;
                }
                if (value == null) {
                    return;
                }
                if (!genuine(value)) {
                    WorkerLog.warn("ignored an entry " + key + " of " + MAP + " of class " + value.getClass().getName()
                            + ", not a tombstone of this library");
                    return;
                }
                Flag flag = open.remove(key);
                if (flag != null) {
                    flag.end((String) value);
                }
            }
        }
    }

    /** Whether {@code value} is what {@link #mark} stores: a kind letter and a description. */
    private static boolean genuine(Object value) {
        return value instanceof String why && (why.startsWith(MANAGER) || why.startsWith(CONNECTION));
    }

    /**
     * The tombstone of {@code name} in {@code ended}, or null if there is none. An entry that is not a
     * tombstone of this library (written by someone else: anyone reaching the cluster can) is deleted and
     * logged, and read as none.
     */
    private static String tombstone(IMap<String, String> ended, String name) {
        IMap<String, ?> raw = ended;
        String why;
        try {
            Object value = raw.get(name);
            if (value == null || genuine(value)) {
                return (String) value;
            }
            why = "of class " + value.getClass().getName() + (value instanceof String ? " without a kind letter" : "");
        } catch (HazelcastSerializationException e) {
            why = "(" + e.getMessage() + ")";
        }
        WorkerLog.warn("dropped the entry " + name + " of " + MAP + " " + why + ", not a tombstone of this library; not read");
        ended.delete(name);
        return null;
    }

    private static RuntimeException failure(String what, String why) {
        if (why.startsWith(MANAGER)) {
            return new ManagerUnavailableException(what + " is gone: its manager (on " + why.substring(1) + ") was shut down");
        }
        return new IllegalStateException(what + " is gone: the connection that made it (" + why.substring(1) + ") was closed");
    }

    /** Records that the scope {@code description} (a manager's if {@code manager}) ended structure {@code name}; before it is destroyed. */
    static void mark(HazelcastInstance hz, String name, boolean manager, String description) {
        // NOTE: set, not put: put would decode the old value, which anyone reaching the cluster may have written.
        // The proxy is made in the shielded call too: a client makes it with a cluster call, which an interrupt cuts.
        ShieldedCall.quietly(() -> hz.<String, String>getMap(MAP).set(name, (manager ? MANAGER : CONNECTION) + description, TTL_HOURS,
                TimeUnit.HOURS));
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
        String why = ShieldedCall.quietly(() -> tombstone(session.hazelcast().getMap(MAP), ref.name()));
        if (why == null) {
            return;
        }
        // NOTE: the wait's last call may have come after the destroy, and so made the structure again (empty)
        ShieldedCall.quietly(() -> session.destroy(ref.kind(), ref.name()));
        String what = "the " + ref.kind().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + ref.name();
        throw failure(what, why);
    }
}
