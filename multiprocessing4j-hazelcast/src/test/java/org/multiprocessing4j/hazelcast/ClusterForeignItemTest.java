package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Semaphore;

/**
 * Objects put into the library's Hazelcast structures by a plain Hazelcast client without the authkey (as
 * anyone reaching a member's port can): the pool side never Java-deserializes them (an {@link Evil}'s
 * {@code readObject} never runs in this JVM), a reading call never fails with {@link ClassCastException}
 * (a queue's take goes on to the next genuine item; a dict raises {@link SecurityException}; an event's or
 * a joinable queue's count reads as none), and a member's worker drops such items in its task queue and
 * goes on running tasks. Likewise a semaphore drops foreign permits, a tombstone in {@code mp4j.ended} that the
 * library did not write reads as none (a lock wait and a remade view go on), and a member's worker host drops
 * foreign items in its control queue and still starts workers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterForeignItemTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;
    private static Context context;
    private static HazelcastInstance attacker;

    /** A class whose Java deserialization is the attack: it only records that it ran. */
    static final class Evil implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            ran = true;
        }
    }

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 1);
        context = cluster.context(Duration.ofSeconds(20));
        // Hazelcast's defaults: no authkey, no filter. In this JVM: it only writes (set, add), never reads an Evil back.
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster.name);
        config.getNetworkConfig().setAddresses(cluster.addresses);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        attacker = HazelcastClient.newHazelcastClient(config);
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (attacker != null) {
            attacker.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void resetFlag() {
        Evil.ran = false;
    }

    private static Set<String> names() {
        return attacker.getDistributedObjects().stream().map(DistributedObject::getName).collect(Collectors.toSet());
    }

    /** The one name starting with {@code prefix} in {@code after} and not in {@code before}. */
    private static String added(Set<String> before, Set<String> after, String prefix) {
        List<String> added = after.stream().filter(n -> n.startsWith(prefix) && !before.contains(n)).toList();
        assertEquals(1, added.size(), "new structures named " + prefix + "*: " + added);
        return added.get(0);
    }

    @Test
    void aQueueTakeDropsForeignItemsAndReturnsTheNextGenuineOne() throws Exception {
        ClusterData data = cluster.workers.data();
        String name = "foreign-q-" + System.nanoTime();
        BlockingQueue<String> queue = data.queue(name);
        try {
            queue.put("first");
            assertEquals("first", queue.poll(HANG.toSeconds(), TimeUnit.SECONDS));
            attacker.getQueue("mp4j.q." + name).add(new Evil());
            attacker.getQueue("mp4j.q." + name).add(new ArrayList<>(List.of("not a frame")));
            attacker.getQueue("mp4j.q." + name).add("not a frame either");
            queue.put("genuine");
            assertEquals("genuine", queue.poll(HANG.toSeconds(), TimeUnit.SECONDS));
            assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");

            attacker.getQueue("mp4j.q." + name).add(new Evil());
            queue.put("drained");
            List<String> drained = new ArrayList<>();
            queue.drainTo(drained); // the item after the refused one is lost (Hazelcast took both): no exception
            attacker.getQueue("mp4j.q." + name).add(new ArrayList<>(List.of("x")));
            queue.put("after");
            queue.drainTo(drained);
            assertTrue(drained.contains("after"), drained.toString());
            assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void aDictRefusesForeignKeysAndValuesWithSecurityException() {
        ClusterData data = cluster.workers.data();
        String name = "foreign-d-" + System.nanoTime();
        ConcurrentMap<String, String> dict = data.dict(name);
        try {
            dict.put("k", "v");
            byte[] key = (byte[]) attacker.getMap("mp4j.d." + name).keySet().iterator().next();
            attacker.getMap("mp4j.d." + name).set(key, new Evil());
            assertThrows(SecurityException.class, () -> dict.get("k"));
            assertThrows(SecurityException.class, () -> dict.replace("k", "v", "w"));
            attacker.getMap("mp4j.d." + name).set(key, new ArrayList<>(List.of("x")));
            assertThrows(SecurityException.class, () -> dict.get("k"));
            // put stores its value, then refuses the foreign old one (as it does an old value with a bad signature)
            assertThrows(SecurityException.class, () -> dict.put("k", "again"));
            assertEquals("again", dict.get("k"));
            attacker.getMap("mp4j.d." + name).set(new Evil(), new byte[] {1});
            assertThrows(SecurityException.class, () -> new ArrayList<>(dict.keySet()));
            assertThrows(SecurityException.class, () -> new ArrayList<>(dict.values()));
            assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void anEventAndAJoinableQueueReadAForeignCountAsNone() throws Exception {
        Set<String> before = names();
        Event event = context.event();
        assertFalse(event.isSet());
        String eventMap = added(before, names(), "mp4j.e.");
        attacker.getMap(eventMap).set("state", new Evil());
        assertFalse(event.isSet());
        event.set();
        assertTrue(event.isSet());
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");

        before = names();
        try (JoinableQueue<Integer> jobs = context.joinableQueue()) {
            String countMap = added(before, names(), "mp4j.jq.");
            jobs.put(1);
            attacker.getMap(countMap).set("unfinished", new Evil());
            assertEquals(1, jobs.get(HANG));
            // The foreign count is dropped and read as none (0): taking one away is refused, as for too many taskDone()s.
            assertThrows(IllegalStateException.class, jobs::taskDone);
            attacker.getMap(countMap).set("unfinished", new Evil());
            jobs.join(); // none: returns
        }
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }

    @Test
    void aMembersWorkerDropsForeignTasksAndRunsTheNextOne() throws Exception {
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            assertEquals(2, pool.apply(() -> 2));
            List<String> taskQueues = names().stream().filter(n -> n.startsWith("mp4j.w.") && n.endsWith(".tasks")).toList();
            assertEquals(1, taskQueues.size(), taskQueues.toString());
            String tasks = taskQueues.get(0);
            attacker.getQueue(tasks).add(new ArrayList<>(List.of("not a task")));
            attacker.getQueue(tasks).add(new Evil());
            attacker.getQueue(tasks).add("not a task either");
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!attacker.getQueue(tasks).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the worker never took the injected items");
                Thread.sleep(50);
            }
            Thread.sleep(500); // a worker thread that died on them would have ended its link by now
            assertEquals(3, pool.apply(() -> 3));
            Collection<String> now = names();
            assertTrue(now.contains(tasks), "the worker ended (its task queue is gone): " + now);
            List<Integer> more = pool.map(x -> x * 2, List.of(1, 2, 3));
            assertEquals(List.of(2, 4, 6), more);
            assertTrue(names().contains(tasks), "the worker ended after the injection");
        }
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }

    @Test
    void aLockWaitReadsAForeignTombstoneAsNoneAndALocksOwnMapIgnoresForeignValues() throws Exception {
        Set<String> before = names();
        Lock lock = context.lock();
        assertTrue(lock.acquire(HANG));
        lock.release();
        String lockMap = added(before, names(), "mp4j.l.");
        String name = lockMap.substring("mp4j.l.".length()); // the lock's key and its name in mp4j.ended
        attacker.getMap(lockMap).set(name, "not a lock value");
        attacker.getMap(lockMap).set("other", new Evil());
        // a tombstone of the library is a String starting with its kind letter; a wait checks it after each slice
        List<Object> foreign = List.of(new ArrayList<>(List.of("x")), "", 7L, new Evil());
        for (Object value : foreign) {
            attacker.getMap("mp4j.ended").set(name, value);
            assertTrue(lock.acquire(HANG), "acquire after a foreign " + value.getClass().getName() + " in mp4j.ended");
            // non-reentrant: a second acquire by the same thread waits its slices out (each checks mp4j.ended)
            assertFalse(lock.acquire(Duration.ofMillis(1_500)), "a second acquire of a held lock");
            lock.release();
            assertFalse(attacker.getMap("mp4j.ended").containsKey(name), "the foreign tombstone was not dropped: " + value.getClass());
        }
        assertTrue(lock.acquire(HANG));
        lock.release();
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }

    @Test
    void aViewRemadeInThisJvmIgnoresForeignTombstoneEvents() throws Exception {
        Set<String> before = names();
        Lock lock = context.lock();
        assertTrue(lock.acquire(HANG));
        lock.release();
        String name = added(before, names(), "mp4j.l.").substring("mp4j.l.".length());
        Lock remade = roundTrip(lock); // remade from its handle: its flag listens to mp4j.ended
        attacker.getMap("mp4j.ended").set(name, "");
        attacker.getMap("mp4j.ended").set(name, new ArrayList<>(List.of("x")));
        attacker.getMap("mp4j.ended").set(name, new Evil());
        Thread.sleep(500); // the entry events have arrived
        assertTrue(remade.acquire(HANG), "the remade view after foreign tombstone events");
        remade.release();
        assertTrue(lock.acquire(HANG));
        lock.release();
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T object) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void aSemaphoreDropsForeignPermitsAndTakesTheNextGenuineOne() throws Exception {
        Set<String> before = names();
        Semaphore semaphore = context.semaphore(1);
        String permits = added(before, names(), "mp4j.s.");
        assertTrue(semaphore.acquire(HANG));
        attacker.getQueue(permits).add("not a permit");
        attacker.getQueue(permits).add(new ArrayList<>(List.of("x")));
        attacker.getQueue(permits).add(42L);
        attacker.getQueue(permits).add(new Evil());
        semaphore.release(); // the genuine permit is now behind the foreign items
        assertTrue(semaphore.acquire(HANG), "the genuine permit behind the foreign items");
        assertTrue(attacker.getQueue(permits).isEmpty(), "foreign items left: " + attacker.getQueue(permits).size());
        assertFalse(semaphore.acquire(Duration.ofMillis(500)));
        semaphore.release();
        assertTrue(semaphore.acquire(HANG));
        semaphore.release();
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }

    @Test
    void aNamedSemaphoreOverAForeignSettingIsRefusedAsForeignNotAsAClassCastException() {
        ClusterData data = cluster.workers.data();
        String name = "foreign-s-" + System.nanoTime();
        attacker.getMap("mp4j.s." + name).set("permits", "not a count"); // before anyone made the semaphore
        SecurityException refused = assertThrows(SecurityException.class, () -> data.semaphore(name, 2));
        assertTrue(refused.getMessage().contains("not written by this library"), refused.getMessage());
    }

    @Test
    void aMembersWorkerHostDropsForeignItemsInItsControlQueueAndStillStartsWorkers() throws Exception {
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            assertEquals(1, pool.apply(() -> 1));
        }
        List<String> controls = names().stream().filter(n -> n.startsWith("mp4j.start.")).toList();
        assertFalse(controls.isEmpty(), "no control queue");
        for (String control : controls) {
            attacker.getQueue(control).add("not a start request");
            attacker.getQueue(control).add(new ArrayList<>(List.of("x")));
            attacker.getQueue(control).add(42L);
            attacker.getQueue(control).add(new Evil());
        }
        long deadline = System.nanoTime() + HANG.toNanos();
        for (String control : controls) {
            while (!attacker.getQueue(control).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the worker host never took the injected items of " + control);
                Thread.sleep(50);
            }
        }
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            assertEquals(2, pool.apply(() -> 2));
            assertEquals(List.of(2, 4, 6), pool.map(x -> x * 2, List.of(1, 2, 3)));
        }
        assertFalse(Evil.ran, "Evil.readObject ran in the pool's JVM");
    }
}
