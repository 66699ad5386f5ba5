package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import java.nio.charset.StandardCharsets;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.hazelcast.internal.Frames;
import org.multiprocessing4j.hazelcast.internal.Protocol;
import org.multiprocessing4j.internal.pool.TaskRunner;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.ResultIterator;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;

/**
 * Pool and ProcessPoolExecutor on a cluster of 3 WorkerMain member JVMs on loopback (started once for the
 * class): the same calls as locally, the workers' pids being the members'. The last test SIGKILLs a
 * member mid-map.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HazelcastPoolTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;
    private static Context context;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(3, 1);
        context = cluster.context(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void mapRunsOnTheMembers() throws Exception {
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            List<Integer> squares = pool.map(x -> x * x, range(200), 10);
            assertEquals(range(200).stream().map(x -> x * x).toList(), squares);
            List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), range(30), 1);
            Set<Long> members = new HashSet<>(cluster.pids());
            assertTrue(members.containsAll(pids), "tasks ran outside the members: " + pids + " vs " + members);
            assertFalse(pids.contains(ProcessHandle.current().pid()));
        }
    }

    @Test
    @Order(2)
    void imapIsLazyAndOrdered() throws Exception {
        AtomicInteger read = new AtomicInteger();
        Iterator<Integer> input = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return read.get() < 10_000;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            ResultIterator<Integer> results = pool.imap(x -> x + 1, input, 1);
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1, results.next(HANG));
            }
            assertTrue(read.get() < 10_000, "imap read all of its input before its first results: " + read.get());
            pool.terminate();
        }
    }

    @Test
    @Order(3)
    void applyAsyncAndExceptions() throws Exception {
        try (Pool pool = Pool.builder().processes(2).context(context).build()) {
            AsyncResult<Integer> answer = pool.applyAsync(() -> 6 * 7);
            assertEquals(42, answer.get(HANG));
            AsyncResult<Object> failing = pool.applyAsync(() -> {
                throw new IllegalStateException("raised on a member");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(HANG));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("raised on a member", e.getCause().getMessage());
        }
    }

    @Test
    @Order(4)
    void executorSubmitAndInitializer() throws Exception {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(2).context(context)
                .initializer(() -> System.setProperty("mp4j.test.init", "done")).build()) {
            CompletableFuture<String> f = executor.submit(() -> System.getProperty("mp4j.test.init") + " in " + ProcessHandle.current().pid());
            String answer = f.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(answer.startsWith("done in "), answer);
            long pid = Long.parseLong(answer.substring("done in ".length()));
            assertTrue(cluster.pids().contains(pid), "ran in " + pid + ", not a member " + cluster.pids());
        }
    }

    @Test
    @Order(4)
    void starmapMaxTasksPerChildAndTaskTimeout() throws Exception {
        try (Pool pool = Pool.builder().processes(2).maxTasksPerChild(2).context(context).build()) {
            List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(1, 2), Map.entry(3, 4), Map.entry(5, 6), Map.entry(7, 8), Map.entry(9, 10));
            assertEquals(List.of(2, 12, 30, 56, 90), pool.starmap((a, b) -> a * b, pairs, 1));
            assertTrue(pool.stats().workerRestarts() >= 1, "no worker was replaced after 2 tasks: " + pool.stats());
        }
        try (Pool pool = Pool.builder().processes(1).taskTimeout(Duration.ofMillis(500)).context(context).build()) {
            AsyncResult<Integer> slow = pool.applyAsync(() -> {
                Thread.sleep(3000);
                return 1;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(HANG));
            assertInstanceOf(TaskTimeoutException.class, e.getCause());
            assertEquals(7, pool.apply(() -> 7), "the pool goes on after a timeout");
        }
    }

    @Test
    @Order(5)
    void aForgedStartRequestIsDroppedUnreadAndAGoodOneIsServed() throws Exception {
        HazelcastInstance client = cluster.workers.hazelcast();
        java.util.UUID member = client.getCluster().getMembers().iterator().next().getUuid();
        String control = Protocol.controlQueue(member);
        String serializer = context.serializer().getName();
        byte[] init = TaskRunner.encodeInitializer(serializer, () -> System.setProperty("mp4j.forged", "ran"));
        Frames forger = new Frames("not the cluster's key, 32 bytes!".getBytes(StandardCharsets.US_ASCII));
        String forgedId = java.util.UUID.randomUUID().toString();
        byte[] forged = new Protocol.Start(0, forgedId, client.getLocalEndpoint().getUuid(), serializer, init).encode();
        client.<byte[]>getQueue(control).add(forger.seal(control, 1, forged));
        IQueue<byte[]> forgedAnswers = client.getQueue(Protocol.answerQueue(forgedId));
        assertNull(forgedAnswers.poll(3, TimeUnit.SECONDS), "a worker answered a request signed with another key");
        forgedAnswers.destroy();
        // NOTE: three tasks that wait for each other, so each runs on its own worker however late one starts
        // (before: 30 tasks of 50 ms, which two early workers could finish before a late third took one)
        String arrivals = "forged-arrivals-" + System.nanoTime();
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            List<String> seen = pool.map(x -> {
                long pid = ProcessHandle.current().pid();
                ConcurrentMap<String, Integer> arrived = ClusterData.onThisMember().dict(arrivals);
                arrived.put(Long.toString(pid), 1);
                long deadline = System.nanoTime() + HANG.toNanos();
                while (arrived.size() < 3 && System.nanoTime() < deadline) {
                    pause(5);
                }
                return System.getProperty("mp4j.forged", "absent") + "@" + pid;
            }, range(3), 1);
            assertTrue(seen.stream().allMatch(v -> v.startsWith("absent@")), "the forged initializer ran: " + seen);
            assertEquals(3, new HashSet<>(seen).size(), "not every member was asked: " + seen);
        } finally {
            cluster.workers.data().destroy(arrivals);
        }
        // The same request signed with the cluster's key is served: the check above could fail.
        Frames good = new Frames(cluster.key);
        String goodId = java.util.UUID.randomUUID().toString();
        byte[] request = new Protocol.Start(0, goodId, client.getLocalEndpoint().getUuid(), serializer, new byte[0]).encode();
        client.<byte[]>getQueue(control).add(good.seal(control, 1, request));
        IQueue<byte[]> answers = client.getQueue(Protocol.answerQueue(goodId));
        byte[] first = answers.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(good.open(Protocol.answerQueue(goodId), 1, first), "no signed READY from the worker");
        client.<byte[]>getQueue(Protocol.taskQueue(goodId)).add(good.seal(Protocol.taskQueue(goodId), 1, Protocol.stop(true)));
        answers.destroy();
    }

    @Test
    @Order(6)
    void aPoolWithAnotherAuthkeyIsBrokenWithAClearMessage() throws Exception {
        byte[] wrong = "another authkey, not the members".getBytes(StandardCharsets.US_ASCII);
        try (HazelcastWorkers stranger = HazelcastWorkers.builder().clusterName(cluster.name)
                .members(cluster.addresses.toArray(String[]::new)).authkey(wrong).connect()) {
            Context strangers = Context.builder().poolWorkers(stranger.poolWorkers()).startTimeout(Duration.ofSeconds(3)).build();
            try (Pool pool = Pool.builder().processes(1).context(strangers).build()) {
                BrokenProcessPoolException e = assertThrows(BrokenProcessPoolException.class, () -> pool.map(x -> x, List.of(1)));
                assertTrue(String.valueOf(e.getCause()).contains("same authkey"), String.valueOf(e.getCause()));
            }
        }
    }

    @Test
    @Order(7)
    void aClassMissingOnTheMembersIsNamed() throws Exception {
        Object stranger = MissingClass.instance("mp4j.generated.OnlyInTheClient");
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            Exception e = assertThrows(Exception.class, () -> pool.map(x -> String.valueOf(x), List.of(stranger)));
            assertTrue(String.valueOf(e).contains("mp4j.generated.OnlyInTheClient") || String.valueOf(e.getCause()).contains("mp4j.generated.OnlyInTheClient"),
                    "the error does not name the missing class: " + e);
        }
    }

    @Test
    @Order(7)
    void queuesAndDictsAreSharedWithTasksOnTheMembers() throws Exception {
        ClusterData data = cluster.workers.data();
        BlockingQueue<String> done = data.queue("done");
        ConcurrentMap<String, Integer> squares = data.dict("squares");
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            pool.map(x -> {
                ClusterData mine = ClusterData.onThisMember();
                mine.<String, Integer>dict("squares").put("k" + x, x * x);
                mine.<String>queue("done").add("task " + x);
                return x;
            }, range(20), 1);
        }
        assertEquals(20, squares.size());
        assertEquals(49, squares.get("k7"));
        assertEquals(null, squares.putIfAbsent("k100", 1));
        assertEquals(1, squares.putIfAbsent("k100", 2));
        assertTrue(squares.replace("k100", 1, 3));
        assertFalse(squares.remove("k100", 1));
        assertTrue(squares.remove("k100", 3));
        Set<String> items = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            items.add(done.poll(HANG.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(IntStream.range(0, 20).mapToObj(i -> "task " + i).collect(java.util.stream.Collectors.toSet()), items);
        assertNull(done.poll());
        // An item put without the authkey is dropped by the taker, undecoded; a dict value, refused.
        Frames forger = new Frames("not the cluster's key, 32 bytes!".getBytes(StandardCharsets.US_ASCII));
        cluster.workers.hazelcast().<byte[]>getQueue("mp4j.q.done").add(forger.seal("queue:mp4j.q.done", 1, new byte[] {1, 2, 3}));
        done.add("genuine");
        assertEquals("genuine", done.poll(HANG.toSeconds(), TimeUnit.SECONDS));
        byte[] key = cluster.workers.hazelcast().<byte[], byte[]>getMap("mp4j.d.squares").keySet().iterator().next();
        cluster.workers.hazelcast().<byte[], byte[]>getMap("mp4j.d.squares").put(key, forger.seal("x", 0, new byte[] {1}));
        assertThrows(SecurityException.class, () -> squares.entrySet().size());
        data.destroy("done");
        data.destroy("squares");
    }

    @Test
    @Order(8)
    void aLockKeepsACounterExactAcrossMembersAndASemaphoreBoundsConcurrency() throws Exception {
        ClusterData data = cluster.workers.data();
        ConcurrentMap<String, Integer> counter = data.dict("counter");
        counter.put("n", 0);
        try (Pool pool = Pool.builder().processes(2).context(context).build()) {
            List<Long> pids = pool.map(x -> {
                ClusterData mine = ClusterData.onThisMember();
                Lock lock = mine.lock("counter");
                ConcurrentMap<String, Integer> n = mine.dict("counter");
                // Both tasks running before either counts: they contend.
                n.merge("ready", 1, Integer::sum);
                long deadline = System.nanoTime() + HANG.toNanos();
                while (n.get("ready") < 2 && System.nanoTime() < deadline) {
                    pause(5);
                }
                for (int i = 0; i < 200; i++) {
                    lock.lock();
                    try {
                        n.put("n", n.get("n") + 1);
                    } finally {
                        lock.unlock();
                    }
                }
                return ProcessHandle.current().pid();
            }, range(2), 1);
            assertEquals(2, new HashSet<>(pids).size(), "both tasks ran on one member: " + pids);
        }
        assertEquals(2, counter.get("ready"));
        assertEquals(400, counter.get("n"));

        // Reentrant, owned by a thread.
        Lock lock = data.lock("counter");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertTrue(lock.tryLock());
            assertTrue(lock.tryLock(), "the owner could not take its lock again");
            assertFalse(other.submit(() -> lock.tryLock()).get(), "another thread took a held lock");
            ExecutionException notOwner = assertThrows(ExecutionException.class, () -> other.submit(lock::unlock).get());
            assertInstanceOf(IllegalMonitorStateException.class, notOwner.getCause());
            lock.unlock();
            assertFalse(other.submit(() -> lock.tryLock()).get(), "the lock was free after one of two unlocks");
            lock.unlock();
            assertTrue(other.submit(() -> {
                boolean taken = lock.tryLock(HANG.toSeconds(), TimeUnit.SECONDS);
                lock.unlock();
                return taken;
            }).get());
        } finally {
            other.shutdownNow();
        }

        // A semaphore of 2 permits: never more than 2 tasks inside at once.
        ClusterSemaphore slots = data.semaphore("slots", 2);
        assertEquals(2, slots.getValue());
        assertThrows(IllegalArgumentException.class, () -> data.semaphore("slots", 3));
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            pool.map(x -> {
                ClusterData mine = ClusterData.onThisMember();
                ClusterSemaphore sem = mine.semaphore("slots", 2);
                ConcurrentMap<String, Integer> n = mine.dict("counter");
                try {
                    sem.acquire();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try {
                    mine.<Integer>queue("inside").add(n.merge("inside", 1, Integer::sum));
                    pause(100);
                    n.merge("inside", -1, Integer::sum);
                } finally {
                    sem.release();
                }
                return x;
            }, range(6), 1);
        }
        List<Integer> inside = new ArrayList<>();
        data.<Integer>queue("inside").drainTo(inside);
        assertEquals(6, inside.size());
        assertTrue(inside.stream().allMatch(k -> k >= 1 && k <= 2), "more than 2 tasks held the semaphore at once: " + inside);
        assertEquals(2, slots.getValue());
        assertTrue(slots.tryAcquire());
        assertTrue(slots.acquire(HANG));
        assertFalse(slots.tryAcquire(), "a third permit of 2");
        assertFalse(slots.acquire(Duration.ofMillis(10)));
        slots.release();
        assertTrue(slots.tryAcquire());
        slots.release();
        slots.release();
        // A permit added without the authkey is dropped, not counted as taken.
        Frames forger = new Frames("not the cluster's key, 32 bytes!".getBytes(StandardCharsets.US_ASCII));
        assertTrue(slots.tryAcquire());
        assertTrue(slots.tryAcquire());
        cluster.workers.hazelcast().<byte[]>getQueue("mp4j.s.slots").add(forger.seal("semaphore:mp4j.s.slots", 1, new byte[0]));
        assertFalse(slots.tryAcquire(), "a forged permit was taken");
        for (String name : List.of("counter", "slots", "inside")) {
            data.destroy(name);
        }
    }

    @Test
    @Order(9)
    void aListIsSharedWithTasksOnTheMembers() throws Exception {
        ClusterData data = cluster.workers.data();
        List<String> names = data.list("names");
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            pool.map(x -> ClusterData.onThisMember().<String>list("names").add("n" + x), range(10), 1);
        }
        assertEquals(10, names.size());
        assertEquals(IntStream.range(0, 10).mapToObj(i -> "n" + i).collect(java.util.stream.Collectors.toSet()), new HashSet<>(names));
        names.add(0, "first");
        assertEquals("first", names.get(0));
        assertEquals("first", names.set(0, "zeroth"));
        assertEquals(0, names.indexOf("zeroth"));
        assertTrue(names.remove("n3"));
        assertFalse(names.contains("n3"));
        assertEquals("zeroth", names.remove(0));
        assertEquals(9, names.size());
        Frames forger = new Frames("not the cluster's key, 32 bytes!".getBytes(StandardCharsets.US_ASCII));
        cluster.workers.hazelcast().<byte[]>getList("mp4j.li.names").add(forger.seal("list:mp4j.li.names", 1, new byte[] {1}));
        assertThrows(SecurityException.class, () -> names.get(9));
        data.destroy("names");
        assertTrue(names.isEmpty());
    }

    @Test
    @Order(10)
    void aClientKilledMidMapLeavesNoWorkBehind() throws Exception {
        HazelcastInstance client = cluster.workers.hazelcast();
        // An abandoned worker (the timed-out task above) destroys its queues once its task has returned.
        long settle = System.nanoTime() + HANG.toNanos();
        while (!workerQueues(client).isEmpty() && System.nanoTime() < settle) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), workerQueues(client), "queues left by earlier tests");
        String name = cluster.name;
        List<String> members = List.copyOf(cluster.addresses);
        byte[] key = cluster.key;
        org.multiprocessing4j.Process pools = cluster.children.process("pool-jvm", () -> ClusterClientMain.mapForever(name, members, key));
        pools.start();
        try {
            long deadline = System.nanoTime() + HANG.toNanos();
            int seen = 0;
            while (seen < 6 && System.nanoTime() < deadline) {
                seen = Math.max(seen, workerQueues(client).size());
                Thread.sleep(50);
            }
            assertTrue(seen >= 6, "the pool JVM's 3 workers have 2 queues each; seen " + seen);
            assertFalse(cluster.workers.data().lock("orphan").tryLock(), "the pool JVM does not hold its lock");
            Thread.sleep(500);
        } finally {
            pools.kill();
            pools.join(HANG);
        }
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!workerQueues(client).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), workerQueues(client), "workers of the killed pool JVM were not ended");
        // The lock the killed client held is released by the cluster.
        java.util.concurrent.locks.Lock orphan = cluster.workers.data().lock("orphan");
        assertTrue(orphan.tryLock(HANG.toSeconds(), TimeUnit.SECONDS), "a lock held by a killed client was never released");
        orphan.unlock();
        cluster.workers.data().destroy("orphan");
    }

    private static List<String> workerQueues(HazelcastInstance client) {
        return client.getDistributedObjects().stream().map(o -> o.getName()).filter(n -> n.startsWith("mp4j.w.")).sorted().toList();
    }

    @Test
    @Order(11)
    void closingTheConnectionUnderARunningPoolFailsItsTasksInsteadOfHanging() throws Exception {
        try (HazelcastWorkers second = HazelcastWorkers.builder().clusterName(cluster.name)
                .members(cluster.addresses.toArray(String[]::new)).authkey(cluster.key).connect()) {
            Context ctx = Context.builder().poolWorkers(second.poolWorkers()).startTimeout(Duration.ofSeconds(5)).build();
            Pool pool = Pool.builder().processes(2).context(ctx).build();
            // NOTE: the slow task waits for release (an event of the first connection, which stays open), not
            // 2 s: a test thread stalled that long under load, or a second worker that long in starting, let it
            // end before the close, and its result arrived instead of the failure
            org.multiprocessing4j.Event release = context.event();
            try {
                AsyncResult<Integer> slow = pool.applyAsync(() -> release.await(Duration.ofSeconds(60)) ? 1 : 0);
                assertEquals(2, pool.apply(() -> 2));
                second.close();
                ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(HANG));
                assertInstanceOf(BrokenProcessPoolException.class, e.getCause()); // WorkerDiedException is one
            } finally {
                release.set(); // the abandoned task on the member returns now
                pool.terminate();
            }
        }
    }

    @Test
    @Order(12)
    void aMemberKilledMidMapFailsOnlyItsTaskAndThePoolGoesOn() throws Exception {
        org.multiprocessing4j.Process victim = cluster.members.get(2);
        long victimPid = victim.pid().orElseThrow();
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            // Each of the 3 workers is on its own member; tasks last long enough to be running at the kill, and
            // say so on a cluster queue when they start (a task sent to a member may not have started yet).
            org.multiprocessing4j.Queue<Long> started = context.queue();
            List<AsyncResult<Long>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(pool.applyAsync(() -> {
                    started.put(ProcessHandle.current().pid());
                    Thread.sleep(1500);
                    return ProcessHandle.current().pid();
                }));
            }
            while (started.get(HANG) != victimPid) {
                // a task on another member started first
            }
            victim.kill();
            int ok = 0;
            int died = 0;
            for (AsyncResult<Long> r : results) {
                try {
                    assertTrue(cluster.pids().contains(r.get(HANG)));
                    ok++;
                } catch (ExecutionException e) {
                    WorkerDiedException death = assertInstanceOf(WorkerDiedException.class, e.getCause());
                    assertEquals(victimPid, death.pid(), death.toString());
                    died++;
                }
            }
            assertEquals(12, ok + died);
            assertTrue(died >= 1 && died <= 2, "the killed member ran one task at a time; failed: " + died);
            // The pool goes on with the members left.
            assertEquals(List.of(2, 3, 4), pool.map(x -> x + 1, List.of(1, 2, 3), 1));
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
