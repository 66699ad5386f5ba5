package org.multiprocessing4j.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.PoolWorkers;
import org.multiprocessing4j.hazelcast.internal.ClusterConfigs;
import org.multiprocessing4j.hazelcast.internal.ClusterObjects;
import org.multiprocessing4j.hazelcast.internal.ClusterSession;
import org.multiprocessing4j.hazelcast.internal.ClusterTransport;
import org.multiprocessing4j.hazelcast.internal.Frames;

/**
 * A connection (a Hazelcast client) to a cluster of {@link WorkerMain} members that run pool workers.
 * A program moves its {@code Pool} and {@code ProcessPoolExecutor} from local worker JVMs to the cluster by
 * making its context with it and changing nothing else:
 *
 * <pre>{@code
 * try (HazelcastWorkers cluster = HazelcastWorkers.builder()
 *         .clusterName("mp4j").members("10.0.0.5:5701", "10.0.0.6:5701").authkeyFile(Path.of("cluster.key"))
 *         .connect()) {
 *     Context ctx = cluster.context();                      // or Context.builder().poolWorkers(cluster.poolWorkers())...
 *     try (Pool pool = Pool.builder().processes(6).context(ctx).build()) {
 *         List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 *     }
 * }
 * }</pre>
 *
 * <p>Each pool worker is a thread on a member, holding one task at a time. Every task and answer is an
 * opaque {@code byte[]} signed with HMAC-SHA256 under the authkey, checked before it is read; the
 * members must run with the same authkey. A member that leaves the cluster (killed, crashed,
 * partitioned away) fails the task its workers were running with
 * {@link org.multiprocessing4j.WorkerDiedException} (exit code -9) and re-runs nothing that had started;
 * the pool replaces those workers on the members left. {@link #data()} gives the cluster's queues,
 * dicts, lists, locks and semaphores. The user's classes (task functions, arguments,
 * results, initializer) must be on every member's class path. Thread-safe; {@link #close()} disconnects
 * (pools using it should be closed first: their workers become unreachable). Unless the system property
 * {@code hazelcast.logging.type} is set, {@link Builder#connect()} sets the {@code java.util.logging} level
 * of {@code com.hazelcast} to WARNING.
 */
public final class HazelcastWorkers implements AutoCloseable {
    private final HazelcastInstance client;
    private final ClusterTransport transport;
    private final ClusterData data;

    private final ClusterSession session;

    private HazelcastWorkers(HazelcastInstance client, ClusterTransport transport, ClusterSession session) {
        this.client = client;
        this.transport = transport;
        this.session = session;
        this.data = new ClusterData(session, null);
    }

    /**
     * A builder with the defaults: cluster {@code mp4j}, member {@code 127.0.0.1:5701}, 30 s to connect.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The transport to give {@link Context.Builder#poolWorkers}: pools made with that context run their
     * workers on this cluster.
     *
     * @return this cluster as pool workers
     */
    public PoolWorkers poolWorkers() {
        return transport;
    }

    /**
     * A context with default settings whose pools and executors run their workers on this cluster.
     *
     * @return the new context
     */
    public Context context() {
        return Context.builder().poolWorkers(transport).build();
    }

    /**
     * The cluster's queues, dicts, lists, locks and semaphores (items signed with this connection's
     * authkey); tasks on the members reach
     * the same ones through {@link ClusterData#onThisMember()}.
     *
     * @return the cluster's data, items encoded with the default context's serializer
     */
    public ClusterData data() {
        return data;
    }

    /**
     * How many members offer pool workers now.
     *
     * @return the number of worker members in the cluster
     */
    public int workerMembers() {
        return transport.workerMembers();
    }

    /**
     * The Hazelcast client behind this connection, for the cluster's own data structures. Shut down by
     * {@link #close()}.
     *
     * @return the client instance
     */
    public HazelcastInstance hazelcast() {
        return client;
    }

    /**
     * Disconnects from the cluster; workers of pools still using it are abandoned by their members.
     * Idempotent. In this order: the queues, locks, semaphores, events and dicts reached through this
     * connection ({@link #data()}, and those of contexts made with it) are closed, so that a thread
     * blocked in one of them (a lock's {@code acquire}, a queue's {@code take}, a {@code join}) fails
     * with {@link IllegalStateException} instead of returning as if it had succeeded, and later calls fail
     * the same way; close waits up to {@value #CALLS_GRACE_SECONDS} s for the cluster calls then running
     * to end; then the contexts' anonymous structures are destroyed, and the client is shut down. Views
     * of this cluster that reach this JVM afterwards are remade with another open connection to the same
     * cluster name, if there is one.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        try {
            if (!session.close(Duration.ofSeconds(CALLS_GRACE_SECONDS))) {
                org.multiprocessing4j.hazelcast.internal.WorkerLog.warn("closing " + transport.describe()
                        + ": cluster calls still running after " + CALLS_GRACE_SECONDS + " s; destroying its structures anyway");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        transport.close();
        client.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long {@link #close()} waits for calls of its views that are running (a blocking wait runs in slices of at most 1 s). */
    private static final int CALLS_GRACE_SECONDS = 3;

    @Override
    public String toString() {
        return transport.describe();
    }

    /** Builds a {@link HazelcastWorkers} connection. Not thread-safe. */
    public static final class Builder {
        private String clusterName = "mp4j";
        private final List<String> members = new ArrayList<>();
        private byte[] authkey;
        private Duration connectTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * The cluster's name (default {@code mp4j}); members started with another name are not joined.
         *
         * @param name the cluster name
         * @return this builder
         */
        public Builder clusterName(String name) {
            if (Objects.requireNonNull(name, "clusterName").isBlank()) {
                throw new IllegalArgumentException("clusterName is blank");
            }
            this.clusterName = name;
            return this;
        }

        /**
         * Addresses ({@code host:port}) of members to connect to (default {@code 127.0.0.1:5701}); the client
         * learns the others from them.
         *
         * @param addresses member addresses, {@code host:port}
         * @return this builder
         * @throws NullPointerException if {@code addresses} or one of them is null (the message says which)
         * @throws IllegalArgumentException if an address is not {@code host:port}
         */
        public Builder members(String... addresses) {
            Objects.requireNonNull(addresses, "members: the addresses array is null");
            List<String> checked = new ArrayList<>(addresses.length);
            for (int i = 0; i < addresses.length; i++) {
                checked.add(WorkerOptions.checkAddress(Objects.requireNonNull(addresses[i], "members: address " + i + " is null")));
            }
            members.addAll(checked); // NOTE: all or none: a bad address leaves the builder as it was
            return this;
        }

        /**
         * The shared secret that signs every task and answer (at least 16 bytes); required.
         *
         * @param key the authkey the members use too
         * @return this builder
         * @throws NullPointerException if {@code key} is null (the message names {@code authkey})
         * @throws IllegalArgumentException if it has fewer than 16 bytes
         */
        public Builder authkey(byte[] key) {
            Objects.requireNonNull(key, "authkey is null: give the members' key");
            new Frames(key); // checks the length
            this.authkey = key.clone();
            return this;
        }

        /**
         * Reads the authkey from {@code file} (its bytes; one trailing newline ignored), as
         * {@code WorkerMain --authkey-file} does.
         *
         * @param file the key file
         * @return this builder
         * @throws NullPointerException if {@code file} is null (the message names {@code authkeyFile})
         * @throws java.io.UncheckedIOException if the file cannot be read
         * @throws IllegalArgumentException if it holds fewer than 16 bytes
         */
        public Builder authkeyFile(Path file) {
            Objects.requireNonNull(file, "authkeyFile is null: give the path of the members' key file");
            try {
                return authkey(WorkerOptions.readAuthkey(file));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read the authkey file " + file, e);
            }
        }

        /**
         * How long {@link #connect()} tries to reach the cluster (default 30 s).
         *
         * @param timeout the connect timeout, positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null (the message names {@code connectTimeout})
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout is null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Connects to the cluster as a Hazelcast client.
         *
         * @return the connection
         * @throws IllegalStateException if no authkey was set, or the cluster cannot be reached in time
         */
        public HazelcastWorkers connect() {
            if (authkey == null) {
                throw new IllegalStateException("no authkey: set authkey(...) or authkeyFile(...), the members' key");
            }
            List<String> addresses = members.isEmpty() ? List.of("127.0.0.1:5701") : List.copyOf(members);
            if (System.getProperty("hazelcast.logging.type") == null) {
                // A pool's program wants its own output, not the client's INFO lines; set the property to choose otherwise.
                java.util.logging.Logger.getLogger("com.hazelcast").setLevel(java.util.logging.Level.WARNING);
            }
            HazelcastInstance client;
            try {
                client = HazelcastClient.newHazelcastClient(ClusterConfigs.client(clusterName, addresses, connectTimeout));
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot connect to Hazelcast cluster \"" + clusterName + "\" at " + addresses
                        + " within " + connectTimeout.toSeconds() + " s", e);
            }
            String description = "hazelcast cluster \"" + clusterName + "\" at " + String.join(",", addresses);
            Frames frames = new Frames(authkey);
            ClusterSession session = new ClusterSession(clusterName, client, frames);
            session.register();
            return new HazelcastWorkers(client, new ClusterTransport(client, frames, description, new ClusterObjects(session, description)), session);
        }
    }
}
