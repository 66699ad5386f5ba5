package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.TaskTimeoutException;

/**
 * The life cycle of what a pool and a connection leave on a cluster of one WorkerMain member JVM
 * (started once for the class): worker threads the pool gave up, structures after close, waiters blocked
 * when a connection closes, several connections to one cluster in one JVM.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastLifecycleTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;
    private static Context context;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 1);
        context = cluster.context(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The pool worker threads of the JVM this runs in (a task: the member's). */
    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("mp4j-worker-") && !t.getName().startsWith("mp4j-worker-host"))
                .count();
    }

    private static List<String> workerQueues(HazelcastInstance client) {
        return client.getDistributedObjects().stream().map(o -> o.getName()).filter(n -> n.startsWith("mp4j.w.")).sorted().toList();
    }

    @Test
    void workersGivenUpByTimeoutCancelOrTerminateEndOnTheMemberAndLeaveNoQueues() throws Exception {
        int timeouts = 4;
        try (Pool pool = Pool.builder().processes(1).taskTimeout(Duration.ofMillis(300)).context(context).build()) {
            for (int i = 0; i < timeouts; i++) {
                AsyncResult<Integer> slow = pool.applyAsync(() -> {
                    Thread.sleep(1500);
                    return 1;
                });
                ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(HANG));
                assertInstanceOf(TaskTimeoutException.class, e.getCause());
            }
        }
        org.multiprocessing4j.Queue<String> started = context.queue();
        // NOTE: the task to cancel waits for release, not 1.5 s: a test thread stalled that long under load
        // found it done, and cancel(true) rightly returned false
        org.multiprocessing4j.Event release = context.event();
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1).context(context).build()) {
            CompletableFuture<Integer> running = executor.submit(() -> {
                started.put("cancel");
                return release.await(Duration.ofSeconds(60)) ? 1 : 0;
            });
            assertEquals("cancel", started.get(HANG));
            assertTrue(running.cancel(true));
        } finally {
            release.set(); // the given-up task returns now
        }
        Pool terminated = Pool.builder().processes(1).context(context).build();
        try {
            terminated.applyAsync(() -> {
                started.put("terminate");
                Thread.sleep(1500);
                return 1;
            });
            assertEquals("terminate", started.get(HANG));
        } finally {
            terminated.terminate();
        }
        // The given-up tasks return (after 1.5 s, or once released); their threads must end then (the one counting is the only one left).
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            long deadline = System.nanoTime() + HANG.toNanos();
            long threads;
            while ((threads = pool.apply(HazelcastLifecycleTest::workerThreads)) != 1 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertEquals(1, threads, "worker threads on the member besides the one counting them: given-up workers stayed");
        }
        HazelcastInstance client = cluster.workers.hazelcast();
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!workerQueues(client).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(List.of(), workerQueues(client), "task or answer queues left on the cluster after every pool closed");
    }
    private static HazelcastWorkers connectAgain() {
        return HazelcastWorkers.builder().clusterName(cluster.name).members(cluster.addresses.toArray(String[]::new))
                .authkey(cluster.key).connectTimeout(HANG).connect();
    }

    /** Runs {@code wait} in a new daemon thread: its outcome, "returned ..." or the exception it threw. */
    private static CompletableFuture<Object> blockedIn(java.util.concurrent.Callable<Object> wait) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                outcome.complete("returned " + wait.call());
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "blocked-waiter");
        t.setDaemon(true);
        t.start();
        return outcome;
    }

    @Test
    void closingAConnectionFailsTheThreadsBlockedInItsLocksSemaphoresAndJoins() throws Exception {
        HazelcastWorkers second = connectAgain();
        try {
            Context ctx = Context.builder().poolWorkers(second.poolWorkers()).build();
            org.multiprocessing4j.Lock lock = ctx.lock();
            lock.acquire(); // held by this thread: the waiter below cannot get it
            org.multiprocessing4j.JoinableQueue<Integer> unfinished = ctx.joinableQueue();
            unfinished.put(1); // never taken nor done: join cannot return
            org.multiprocessing4j.Semaphore empty = ctx.semaphore(0);
            for (int i = 0; i < 200; i++) {
                ctx.queue(); // more of the connection's structures: their destruction at close takes a while
            }
            List<CompletableFuture<Object>> waiters = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) { // several of each: whether one sees the destroyed structure first is a race
                waiters.add(blockedIn(() -> {
                    lock.acquire();
                    return "acquired the held lock";
                }));
                waiters.add(blockedIn(() -> {
                    unfinished.join();
                    return "joined a queue with an unfinished item";
                }));
                waiters.add(blockedIn(() -> {
                    empty.acquire();
                    return "acquired a semaphore with no permit";
                }));
            }
            Thread.sleep(1500); // lets them block (had one not yet, it must fail all the same)
            second.close();
            List<Object> outcomes = new java.util.ArrayList<>();
            for (CompletableFuture<Object> waiter : waiters) {
                outcomes.add(waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
            }
            assertTrue(outcomes.stream().allMatch(o -> o instanceof IllegalStateException),
                    "waiters blocked when their connection closed must fail with IllegalStateException: " + outcomes);
            assertThrows(IllegalStateException.class, lock::acquire, "a lock of a closed connection");
        } finally {
            second.close();
        }
    }

    @Test
    void closingASecondConnectionToTheSameClusterLeavesTheFirstOneWorking() throws Exception {
        connectAgain().close();
        org.multiprocessing4j.Queue<String> queue = context.queue();
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            // The handle travels to the member and back: this JVM remakes it with its open connection.
            org.multiprocessing4j.Queue<String> back = pool.apply(() -> queue);
            queue.put("through the first connection");
            assertEquals("through the first connection", back.get(HANG));
        }
    }

    @Test
    void aNullAuthkeyIsRefusedNamingIt() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> HazelcastWorkers.builder().authkey(null));
        assertTrue(String.valueOf(e.getMessage()).startsWith("authkey"), e.toString());
    }

    @Test
    void nullBuilderArgumentsAreRefusedNamingThem() {
        HazelcastWorkers.Builder builder = HazelcastWorkers.builder();
        NullPointerException array = assertThrows(NullPointerException.class, () -> builder.members((String[]) null));
        assertTrue(String.valueOf(array.getMessage()).startsWith("members"), array.toString());
        NullPointerException address = assertThrows(NullPointerException.class, () -> builder.members("127.0.0.1:5701", null));
        assertTrue(String.valueOf(address.getMessage()).startsWith("members: address 1"), address.toString());
        NullPointerException file = assertThrows(NullPointerException.class, () -> builder.authkeyFile(null));
        assertTrue(String.valueOf(file.getMessage()).startsWith("authkeyFile"), file.toString());
        NullPointerException timeout = assertThrows(NullPointerException.class, () -> builder.connectTimeout(null));
        assertTrue(String.valueOf(timeout.getMessage()).startsWith("connectTimeout"), timeout.toString());
    }
}
