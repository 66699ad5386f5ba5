package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.BoundedSemaphore;
import org.multiprocessing4j.Condition;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.Namespace;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.QueueEmptyException;
import org.multiprocessing4j.QueueFullException;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Semaphore;
import org.multiprocessing4j.SimpleQueue;

/**
 * A cluster context's own queues, joinable queues, locks, semaphores and manager dicts and lists: one
 * program run unchanged on local child JVMs and on 2 WorkerMain members gives the same results, and each
 * kind keeps its Python semantics on the cluster.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterContextTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;
    private static Context context;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(2, 2);
        context = cluster.context(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The program, written once: a pool's tasks take jobs from a joinable queue, add to a total in a
     * manager dict under a lock (a read-modify-write that loses updates without it), record themselves in
     * a manager list and a result queue, at most two at a time past a bounded semaphore.
     */
    static Map<String, Object> program(Context ctx) throws Exception {
        try (JoinableQueue<Integer> jobs = ctx.joinableQueue(); Queue<String> results = ctx.queue(); Lock lock = ctx.lock();
                BoundedSemaphore gate = ctx.boundedSemaphore(2); Manager manager = ctx.manager();
                Pool pool = Pool.builder().processes(3).context(ctx).build()) {
            ConcurrentMap<String, Integer> totals = manager.dict();
            List<Integer> seen = manager.list();
            ConcurrentMap<String, Integer> inside = manager.dict();
            for (int i = 1; i <= 30; i++) {
                jobs.put(i);
            }
            List<Long> pids = pool.map(x -> {
                try {
                    int job = jobs.get(Duration.ofSeconds(30));
                    gate.acquire();
                    try {
                        int now = inside.merge("now", 1, Integer::sum);
                        inside.merge("max", now, Math::max);
                        lock.acquire();
                        try {
                            int total = totals.getOrDefault("total", 0);
                            Thread.sleep(1);
                            totals.put("total", total + job);
                        } finally {
                            lock.release();
                        }
                        inside.merge("now", -1, Integer::sum);
                    } finally {
                        gate.release();
                    }
                    seen.add(job);
                    results.put("job " + job);
                    jobs.taskDone();
                    return ProcessHandle.current().pid();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, IntStream.rangeClosed(1, 30).boxed().toList(), 1);
            jobs.join();
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                got.add(results.get(Duration.ofSeconds(30)));
            }
            Map<String, Object> out = new TreeMap<>();
            out.put("total", totals.get("total"));
            out.put("seen", seen.stream().sorted().toList());
            out.put("results", got);
            out.put("maxInside<=2", inside.get("max") <= 2);
            out.put("pids", new HashSet<>(pids));
            out.put("gate", gate.getValue());
            out.put("jobsLeft", jobs.qsize());
            return out;
        }
    }

    @Test
    void theSameProgramGivesTheSameResultsLocallyAndOnTheCluster() throws Exception {
        Map<String, Object> local;
        try (Context here = Context.builder().jvmOptions("-Xmx128m", "-XX:TieredStopAtLevel=1").build()) {
            local = program(here);
        }
        Map<String, Object> onCluster = program(context);
        @SuppressWarnings("unchecked")
        Set<Long> clusterPids = (Set<Long>) onCluster.remove("pids");
        @SuppressWarnings("unchecked")
        Set<Long> localPids = (Set<Long>) local.remove("pids");
        assertEquals(465, local.get("total"), "1 + ... + 30: no update lost under the lock");
        assertEquals(local, onCluster);
        assertTrue(cluster.pids().containsAll(clusterPids), "the cluster's tasks ran on the members " + cluster.pids() + ": " + clusterPids);
        assertFalse(localPids.stream().anyMatch(cluster.pids()::contains));
    }

    @Test
    void aClusterLockKeepsPythonsLockSemantics() throws Exception {
        Lock lock = context.lock();
        assertTrue(lock.tryAcquire());
        assertTrue(lock.isLocked());
        assertFalse(lock.tryAcquire(), "not reentrant: its holder cannot take it again");
        assertFalse(lock.acquire(Duration.ofMillis(300)), "a second acquire by its holder waits (here, out its timeout)");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                lock.release(); // any thread may release a Lock
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.join(HANG.toMillis());
        assertEquals(null, failure.get());
        assertFalse(lock.isLocked());
        assertThrows(IllegalStateException.class, lock::release, "release of a lock nobody holds");
        lock.lock();
        lock.unlock();
        assertThrows(UnsupportedOperationException.class, () -> new Condition(lock));
        assertTrue(lock.toString().contains("Cluster"), lock.toString());
    }

    @Test
    void aClusterEventWakesAWaiterOnAMemberAndKeepsPythonsSetThenClearRule() throws Exception {
        Event go = context.event();
        Event done = context.event();
        assertFalse(go.isSet());
        assertFalse(go.await(Duration.ofMillis(100)));
        Queue<String> asleep = context.queue();
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            AsyncResult<Boolean> waiter = pool.applyAsync(() -> {
                Thread self = Thread.currentThread();
                Thread.ofPlatform().daemon().name("event-waiter-watch").start(() -> sayWhenAsleepInEventAwait(self, asleep));
                boolean woke = go.await(Duration.ofSeconds(60));
                done.set();
                return woke;
            });
            // NOTE: not a fixed pause: a task that starts waiting only after the set and clear below rightly
            // waits on (it never saw the event set), and under load a member may take longer to start it
            assertEquals("asleep", asleep.get(HANG));
            assertFalse(done.isSet(), "the task waits for the event");
            go.set();
            go.clear(); // set then cleared before the waiter looks: it still wakes (Python's rule)
            assertTrue(waiter.get(HANG));
            assertTrue(done.await(HANG));
        }
        assertFalse(go.isSet());
        go.set();
        go.set();
        assertTrue(go.isSet());
        assertTrue(go.await(Duration.ZERO));
    }

    /**
     * On a member: says "asleep" on {@code asleep} once {@code waiter} sleeps between two looks inside a
     * cluster event's await (so it has read the event's state the wait began with); gives up after 60 s.
     */
    private static void sayWhenAsleepInEventAwait(Thread waiter, Queue<String> asleep) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline) {
                List<StackTraceElement> stack = List.of(waiter.getStackTrace());
                boolean inAwait = stack.stream().anyMatch(f -> f.getClassName().endsWith(".ClusterEvent") && f.getMethodName().equals("await"));
                boolean sleeping = stack.stream().limit(8).anyMatch(f -> f.getClassName().equals(Thread.class.getName())
                        && f.getMethodName().startsWith("sleep"));
                if (inAwait && sleeping) {
                    asleep.put("asleep");
                    return;
                }
                Thread.sleep(5);
            }
            asleep.put("the task never slept in the event's await");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aClusterRLockIsOwnedAndCounted() throws Exception {
        RLock rlock = context.rLock();
        rlock.acquire();
        rlock.acquire();
        assertEquals(2, rlock.getHoldCount());
        assertTrue(rlock.isHeldByCurrentThread());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                assertFalse(rlock.tryAcquire(), "held by another thread");
                rlock.release();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.join(HANG.toMillis());
        assertTrue(failure.get() instanceof IllegalMonitorStateException, "a non-owner's release: " + failure.get());
        rlock.release();
        assertTrue(rlock.isLocked());
        rlock.release();
        assertFalse(rlock.isLocked());
        assertEquals(0, rlock.getHoldCount());
    }

    @Test
    void clusterSemaphoresAndQueuesKeepTheirLimits() throws Exception {
        BoundedSemaphore bounded = context.boundedSemaphore(1);
        assertThrows(IllegalStateException.class, bounded::release, "above its initial value");
        assertTrue(bounded.tryAcquire());
        assertFalse(bounded.tryAcquire());
        assertFalse(bounded.acquire(Duration.ofMillis(200)));
        bounded.release();
        assertEquals(1, bounded.getValue());
        Semaphore plain = context.semaphore(0);
        plain.release();
        plain.release();
        assertEquals(2, plain.getValue(), "an unbounded semaphore's release adds a permit");
        assertThrows(IllegalArgumentException.class, () -> context.semaphore(-1));

        Queue<Integer> q = context.queue(2);
        q.putNowait(1);
        q.put(2, Duration.ofSeconds(5));
        assertTrue(q.full());
        assertThrows(QueueFullException.class, () -> q.putNowait(3));
        assertThrows(QueueFullException.class, () -> q.put(3, Duration.ofMillis(100)));
        assertEquals(1, q.getNowait());
        assertEquals(2, q.get());
        assertThrows(QueueEmptyException.class, q::getNowait);
        assertThrows(QueueEmptyException.class, () -> q.get(Duration.ofMillis(100)));

        JoinableQueue<String> jq = context.joinableQueue();
        assertThrows(IllegalStateException.class, jq::taskDone, "more taskDone() than puts");
        jq.put("a");
        jq.get();
        jq.taskDone();
        jq.join();
    }

    @Test
    void aClusterManagerHoldsDictsAndListsAndDestroysThemAtShutdown() throws Exception {
        Manager manager = context.manager();
        ConcurrentMap<String, Integer> dict = manager.dict(Map.of("a", 1));
        List<String> list = manager.list(List.of("x"));
        SimpleQueue<Integer> simple = context.simpleQueue();
        try (Pool pool = Pool.builder().processes(2).context(context).build()) {
            pool.map(x -> {
                dict.merge("a", x, Integer::sum);
                list.add("t" + x);
                try {
                    simple.put(x);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }, List.of(1, 2, 3, 4), 1);
        }
        assertEquals(11, dict.get("a"));
        assertEquals(5, list.size());
        Set<Integer> fromTasks = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            fromTasks.add(simple.get());
        }
        assertEquals(Set.of(1, 2, 3, 4), fromTasks);
        assertTrue(simple.empty());
        assertTrue(manager.pid().isEmpty(), "a cluster context's manager has no process");
        Event flag = manager.event();
        flag.set();
        assertTrue(flag.isSet());
        Namespace ns = manager.namespace();
        ns.set("nothing", null);
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            pool.apply(() -> {
                ns.set("fromTask", ns.contains("nothing") ? "saw it" : "missed it");
                return null;
            });
        }
        assertEquals("saw it", ns.get("fromTask"));
        assertEquals(null, ns.get("nothing"));
        assertEquals(List.of("fromTask", "nothing"), List.copyOf(ns.asMap().keySet()));
        ns.delete("nothing");
        assertThrows(java.util.NoSuchElementException.class, () -> ns.get("nothing"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> manager.value(1));
        assertTrue(e.getMessage().contains("value"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> manager.create(Runnable.class));
        assertThrows(UnsupportedOperationException.class, manager::address);
        manager.close();
        assertThrows(IllegalStateException.class, manager::dict);
        List<String> left = new ArrayList<>();
        cluster.workers.hazelcast().getDistributedObjects().forEach(o -> {
            if (o.getName().startsWith("mp4j.d.anon.") || o.getName().startsWith("mp4j.li.anon.")) { // dicts, namespaces, lists
                left.add(o.getName());
            }
        });
        assertEquals(List.of(), left, "the manager's dicts, namespace and lists are destroyed at its shutdown");
    }

    @Test
    void waitersOnAClusterManagersObjectsEndWhenItShutsDown() throws Exception {
        Manager manager = context.manager();
        Queue<String> queue = manager.queue();
        Event event = manager.event();
        Semaphore semaphore = manager.semaphore(0);
        JoinableQueue<String> unfinished = manager.joinableQueue();
        unfinished.put("never done");
        Map<String, java.util.concurrent.Callable<Object>> waits = new java.util.LinkedHashMap<>();
        waits.put("queue get", queue::get);
        waits.put("event await", () -> {
            event.await();
            return null;
        });
        waits.put("semaphore acquire", () -> {
            semaphore.acquire();
            return null;
        });
        waits.put("joinable queue join", () -> {
            unfinished.join();
            return null;
        });
        Map<String, AtomicReference<Throwable>> ends = new java.util.LinkedHashMap<>();
        List<Thread> waiters = new ArrayList<>();
        waits.forEach((what, wait) -> {
            AtomicReference<Throwable> end = new AtomicReference<>();
            ends.put(what, end);
            waiters.add(Thread.ofPlatform().name(what).start(() -> {
                try {
                    end.set(new AssertionError(what + " returned " + wait.call()));
                } catch (Throwable e) {
                    end.set(e);
                }
            }));
        });
        for (Thread t : waiters) {
            while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
                assertTrue(t.isAlive(), t.getName() + " ended before it waited: " + ends.get(t.getName()).get());
                Thread.sleep(10);
            }
        }
        Thread.sleep(300); // into their waits' cluster calls
        manager.close();
        for (Thread t : waiters) {
            t.join(HANG.toMillis());
            assertFalse(t.isAlive(), t.getName() + " still waits after its manager shut down");
            Throwable end = ends.get(t.getName()).get();
            assertTrue(end instanceof org.multiprocessing4j.ManagerUnavailableException,
                    t.getName() + " ended with " + end + " instead of ManagerUnavailableException");
        }
        List<String> left = new ArrayList<>();
        cluster.workers.hazelcast().getDistributedObjects().forEach(o -> {
            if (o.getName().contains("anon.") && (o.getName().startsWith("mp4j.q.") || o.getName().startsWith("mp4j.e.")
                    || o.getName().startsWith("mp4j.s.") || o.getName().startsWith("mp4j.jq."))) {
                left.add(o.getName());
            }
        });
        assertEquals(List.of(), left, "structures of the shut-down manager were left (or made again by a waiter)");
    }
}
