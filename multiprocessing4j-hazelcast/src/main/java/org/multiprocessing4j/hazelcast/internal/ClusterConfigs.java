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
 * auto-detection off), bound to one interface (loopback by default), phone-home off, Java
 * deserialization refused for every class outside Hazelcast's own (our payloads are {@code byte[]}, which
 * Hazelcast stores as is), and failure detection tuned to notice a dead member within seconds.
 */
public final class ClusterConfigs {
    private ClusterConfigs() {
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
        // Java deserialization only for Hazelcast's own classes: nothing of a peer's choosing is instantiated.
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
        filter.getWhitelist().addPrefixes("com.hazelcast.", "java.lang.", "java.util.");
        config.getSerializationConfig().setJavaSerializationFilterConfig(filter);
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
        config.getConnectionStrategyConfig().getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(connectTimeout.toMillis())
                .setInitialBackoffMillis(200)
                .setMaxBackoffMillis(1000);
        return config;
    }

    private static void common(Config config) {
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getJetConfig().setEnabled(false);
    }
}
