package org.multiprocessing4j.hazelcast.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NamedDestroy} against two real Hazelcast members started in this JVM and two clients: a structure
 * destroyed by name from a client that does not hold it is gone from both members, and destroying a name
 * no member has leaves nothing behind (a client's {@code getQueue(name).destroy()} left some of them listed
 * on one member for good).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NamedDestroyTest {
    /** Generous bound that turns a hang into a failure; never a timing goal. */
    private static final Duration HANG = Duration.ofSeconds(60);

    private static final List<HazelcastInstance> members = new ArrayList<>();
    private static final List<HazelcastInstance> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        String cluster = "mp4j-named-destroy-test-" + System.nanoTime();
        List<String> addresses = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
        try {
            for (String address : addresses) {
                int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
                members.add(Hazelcast.newHazelcastInstance(ClusterConfigs.member(cluster, "127.0.0.1", port, addresses, 0)));
            }
            long deadline = System.nanoTime() + HANG.toNanos();
            while (members.get(0).getCluster().getMembers().size() < 2) {
                assertTrue(System.nanoTime() < deadline, "the two members did not join");
                Thread.sleep(50);
            }
            for (int i = 0; i < 2; i++) {
                clients.add(HazelcastClient.newHazelcastClient(ClusterConfigs.client(cluster, addresses, HANG)));
            }
        } catch (Exception | Error e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() {
        clients.forEach(HazelcastInstance::shutdown);
        members.forEach(HazelcastInstance::shutdown);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The names starting with {@code prefix} that either member lists. */
    private static Set<String> listed(String prefix) {
        Set<String> names = new TreeSet<>();
        for (HazelcastInstance member : members) {
            for (DistributedObject o : member.getDistributedObjects()) {
                if (o.getName().startsWith(prefix)) {
                    names.add(o.getName());
                }
            }
        }
        return names;
    }

    @Test
    void aQueueDestroyedByNameFromAnotherClientIsGoneWithItsItems() {
        String name = "mp4j.q.named-destroy-test." + System.nanoTime();
        clients.get(0).getQueue(name).add("item");
        assertEquals(Set.of(name), listed(name));

        NamedDestroy.destroy(clients.get(1), NamedDestroy.QUEUE, name);

        assertEquals(Set.of(), listed(name), "listed after its destroy");
        assertEquals(0, members.get(1).getQueue(name).size(), "items of a destroyed queue");
        members.get(1).getQueue(name).destroy();
    }

    @Test
    void destroyingNamesNoMemberHasLeavesNoneListed() throws Exception {
        String prefix = "mp4j.q.never-made." + System.nanoTime() + ".";
        for (int i = 0; i < 300; i++) {
            NamedDestroy.destroy(clients.get(i % 2), NamedDestroy.QUEUE, prefix + i);
            NamedDestroy.destroy(clients.get(i % 2), NamedDestroy.MAP, prefix + i);
        }
        // A late CREATED event registers its name within milliseconds; leave it time to arrive.
        Thread.sleep(1000);
        Set<String> left = listed(prefix);
        members.forEach(m -> m.getDistributedObjects().stream().filter(o -> left.contains(o.getName())).forEach(DistributedObject::destroy));
        assertEquals(Set.of(), left, "names listed after a destroy by name");
    }
}
