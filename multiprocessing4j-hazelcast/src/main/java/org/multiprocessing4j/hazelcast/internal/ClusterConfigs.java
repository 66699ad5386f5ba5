package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.time.Duration;
import java.util.List;

/**
 * The Hazelcast configurations of the transport: TCP/IP join to listed members only (multicast and
 * auto-detection off), bound to one interface (loopback by default), phone-home off, Java deserialization
 * refused for (nearly) every class, and failure detection tuned to notice a dead member within seconds.
 *
 * <p>Java deserialization: anyone who reaches a member's port can put any object into the library's
 * structures (no authkey is needed for that; the library's signature check comes after Hazelcast has
 * decoded the item), so what Hazelcast decodes with Java serialization is what matters. Everything the
 * library stores is a {@code byte[]}, {@code String}, {@code Long} or {@code Integer}, which Hazelcast
 * writes with its own serializers, never with Java serialization: {@link #client} so allows no class at all
 * (Hazelcast's filter with its defaults off and an empty whitelist would allow every class: hence one
 * entry, a name no class has), and {@link #member} only what members send each other that way, the
 * exceptions of failed operations ({@link #MEMBER_CLASSES}). Hazelcast's default filter (used before) let
 * every class whose name starts with {@code java} through. An item that is not what the library stores is
 * dropped where it is read ({@code Queues}).
 */
public final class ClusterConfigs {
    /** The client's whitelist of Java-deserialized classes: a name no class has (an empty list allows all). */
    static final String NO_CLASS = "org.multiprocessing4j.hazelcast.NoJavaDeserialization";

    /**
     * The prefixes of the classes a member Java-deserializes: Hazelcast's own, and the {@code java.lang}
     * classes of an exception (a member sends another an operation's exception with Java serialization).
     */
    static final List<String> MEMBER_PREFIXES = List.of("com.hazelcast.", "java.lang.");

    /**
     * The other classes a member Java-deserializes: what a {@link Throwable} holds (its stack trace, its
     * suppressed exceptions: an empty list or an {@code ArrayList}) and the JDK exceptions outside
     * {@code java.lang} that an operation may throw.
     */
    static final List<String> MEMBER_CLASSES = List.of("[Ljava.lang.StackTraceElement;", "[Ljava.lang.Throwable;",
            "java.util.Collections$EmptyList", "java.util.ArrayList", "java.util.NoSuchElementException",
            "java.util.ConcurrentModificationException", "java.util.concurrent.CancellationException",
            "java.util.concurrent.ExecutionException", "java.util.concurrent.TimeoutException",
            "java.util.concurrent.RejectedExecutionException", "java.util.concurrent.CompletionException",
            "java.io.IOException", "java.io.EOFException", "java.io.UncheckedIOException");

    private ClusterConfigs() {
    }

    /** The filter of a member: {@link #MEMBER_PREFIXES} and {@link #MEMBER_CLASSES}, Hazelcast's defaults off. */
    static JavaSerializationFilterConfig memberFilter() {
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
        filter.getWhitelist().addPrefixes(MEMBER_PREFIXES.toArray(String[]::new)).addClasses(MEMBER_CLASSES.toArray(String[]::new));
        return filter;
    }

    /** The filter of a client: no class at all ({@link #NO_CLASS}), Hazelcast's defaults off. */
    static JavaSerializationFilterConfig clientFilter() {
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
        filter.getWhitelist().addClasses(NO_CLASS);
        return filter;
    }

    /**
     * A member of cluster {@code cluster} on {@code bindHost:port} (no port auto-increment: the address
     * is what the pools list), joining {@code members}, offering {@code workers} worker threads.
     */
    public static Config member(String cluster, String bindHost, int port, List<String> members, int workers) {
        Config config = new Config();
        config.setClusterName(cluster);
        config.setInstanceName("mp4j-member-" + port);
        common(config);
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.setPublicAddress(bindHost + ":" + port);
        config.setProperty("hazelcast.socket.bind.any", "false");
        network.getInterfaces().setEnabled(true).addInterface(bindHost);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
        config.getMemberAttributeConfig().setAttribute(Protocol.WORKERS_ATTRIBUTE, Integer.toString(workers));
        config.getMemberAttributeConfig().setAttribute(Protocol.PID_ATTRIBUTE, Long.toString(ProcessHandle.current().pid()));
        // Java deserialization only for Hazelcast's own classes and exceptions: nothing of a peer's choosing is instantiated.
        config.getSerializationConfig().setJavaSerializationFilterConfig(memberFilter());
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        config.setProperty("hazelcast.shutdownhook.policy", "TERMINATE");
        return config;
    }

    /** A client of cluster {@code cluster} at {@code members}, giving up connecting after {@code connectTimeout}. */
    public static ClientConfig client(String cluster, List<String> members, Duration connectTimeout) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.setInstanceName("mp4j-client-" + java.util.UUID.randomUUID());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.client.heartbeat.interval", "1000");
        config.setProperty("hazelcast.client.heartbeat.timeout", "10000");
        config.getNetworkConfig().setAddresses(members);
        // No Java deserialization at all: what the library stores never needs it (see the class comment).
        config.getSerializationConfig().setJavaSerializationFilterConfig(clientFilter());
        config.getConnectionStrategyConfig().getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(Saturating.millis(connectTimeout))
                .setInitialBackoffMillis(200)
                .setMaxBackoffMillis(1000);
        return config;
    }

    private static void common(Config config) {
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getJetConfig().setEnabled(false);
    }
}
