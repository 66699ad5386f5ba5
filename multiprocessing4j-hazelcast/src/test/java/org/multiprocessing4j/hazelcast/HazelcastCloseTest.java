package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Queue;

/**
 * What closing leaves on a cluster of one WorkerMain member JVM (started once for the class): a pool closed
 * and its connection closed right after, a manager's dict and list used after the manager closed (here and
 * in a task on the member), a queue used after this process closed it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HazelcastCloseTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 2);
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HazelcastWorkers connectAgain() {
        return HazelcastWorkers.builder().clusterName(cluster.name).members(cluster.addresses.toArray(String[]::new))
                .authkey(cluster.key).connectTimeout(HANG).connect();
    }

    private static Set<String> names(HazelcastInstance client) {
        Set<String> names = new HashSet<>();
        for (DistributedObject o : client.getDistributedObjects()) {
            names.add(o.getName());
        }
        return names;
    }

    private static List<String> workerQueues(HazelcastInstance client) {
        return names(client).stream().filter(n -> n.startsWith("mp4j.w.")).sorted().toList();
    }

    @Test
    void aPoolClosedThenItsConnectionClosedAtOnceLeavesNoWorkerQueues() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (HazelcastWorkers connection = connectAgain()) {
                Context ctx = Context.builder().poolWorkers(connection.poolWorkers()).startTimeout(Duration.ofSeconds(20)).build();
                try (Pool pool = Pool.builder().processes(2).context(ctx).build()) {
                    assertEquals(List.of(2, 3, 4, 5), pool.map(x -> x + 1, List.of(1, 2, 3, 4)));
                }
            } // NOTE: the connection closes right after the pool: no pause
        }
        // A member destroys a worker's task queue itself when it ends; a few seconds for that, then what is left stays.
        try (HazelcastWorkers fresh = connectAgain()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!workerQueues(fresh.hazelcast()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertEquals(List.of(), workerQueues(fresh.hazelcast()), "task or answer queues left on the cluster by pools closed before their connection");
        }
    }

    @Test
    void aManagersDictAndListRefuseCallsAfterItClosedHereAndOnTheMemberAndStayDestroyed() throws Exception {
        Context ctx = Context.builder().poolWorkers(cluster.workers.poolWorkers()).startTimeout(Duration.ofSeconds(20)).build();
        HazelcastInstance client = cluster.workers.hazelcast();
        try (Pool pool = Pool.builder().processes(1).context(ctx).build()) {
            Manager m = ctx.manager();
            Set<String> before = names(client);
            ConcurrentMap<String, Integer> d = m.dict();
            List<Integer> li = m.list();
            d.put("k", 1);
            li.add(1);
            Set<String> made = names(client);
            made.removeAll(before);
            String dictName = made.stream().filter(n -> n.startsWith("mp4j.d.")).findFirst().orElseThrow();
            String listName = made.stream().filter(n -> n.startsWith("mp4j.li.")).findFirst().orElseThrow();
            // a view of them on the member, made before the close, used after it
            assertEquals(1, pool.apply(() -> d.get("k")));
            m.close();
            assertThrows(ManagerUnavailableException.class, () -> d.put("z", 5));
            assertThrows(ManagerUnavailableException.class, () -> d.merge("z", 1, Integer::sum));
            assertThrows(ManagerUnavailableException.class, () -> li.add(2));
            assertThrows(ManagerUnavailableException.class, () -> d.get("k"));
            String onMember = pool.apply(() -> {
                StringBuilder out = new StringBuilder();
                try {
                    d.put("r", 1);
                    out.append("dict put ok;");
                } catch (ManagerUnavailableException e) {
                    out.append("dict refused;");
                }
                try {
                    li.add(3);
                    out.append("list add ok");
                } catch (ManagerUnavailableException e) {
                    out.append("list refused");
                }
                return out.toString();
            });
            assertEquals("dict refused;list refused", onMember);
            Set<String> after = names(client);
            assertTrue(!after.contains(dictName) || client.getMap(dictName).isEmpty(), "the dict came back with items: " + after);
            assertTrue(!after.contains(listName) || client.getList(listName).isEmpty(), "the list came back with items: " + after);
        }
    }

    @Test
    void aQueueClosedInThisProcessRefusesPutAndGetAndWakesItsWaitersButNotOtherHandles() throws Exception {
        Context ctx = cluster.workers.context();
        Queue<String> q = ctx.queue();
        q.put("a");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(q);
        }
        @SuppressWarnings("unchecked")
        Queue<String> copy = (Queue<String>) new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        Queue<String> empty = ctx.queue();
        CompletableFuture<Object> waiter = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                waiter.complete("returned " + empty.get());
            } catch (Throwable e) {
                waiter.complete(e);
            }
        }, "blocked-get");
        t.setDaemon(true);
        t.start();
        Thread.sleep(500);
        q.close();
        empty.close();
        assertInstanceOf(IllegalStateException.class, waiter.get(HANG.toSeconds(), TimeUnit.SECONDS), "a get blocked when its queue closed");
        assertThrows(IllegalStateException.class, () -> q.put("d"));
        assertThrows(IllegalStateException.class, () -> q.get());
        assertThrows(IllegalStateException.class, () -> q.get(Duration.ofMillis(100)));
        assertThrows(IllegalStateException.class, () -> q.putNowait("d"));
        assertThrows(IllegalStateException.class, () -> q.getNowait());
        q.close(); // idempotent
        // another handle of the same queue is not closed
        copy.put("b");
        assertEquals("a", copy.get(HANG));
        assertEquals("b", copy.get(HANG));
        JoinableQueue<String> joinable = ctx.joinableQueue();
        joinable.put("j");
        joinable.close();
        assertThrows(IllegalStateException.class, () -> joinable.put("k"), "a joinable queue closed here refuses too");
        assertThrows(IllegalStateException.class, () -> joinable.get());
    }
}
