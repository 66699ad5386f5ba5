package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.Serial;
import java.io.Serializable;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.hazelcast.internal.ClusterConfigs;

/**
 * Corners of the cluster's data objects against the JDK interfaces they implement and against the local
 * versions of the same objects, on a real Hazelcast member started in this JVM (no worker members: these
 * are data calls only) and a {@link HazelcastWorkers} client connected to it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterDataCornersTest {
    /** Generous bound that turns a hang into a failure; never a timing goal. */
    private static final Duration HANG = Duration.ofSeconds(30);

    private static HazelcastInstance member;
    private static HazelcastWorkers cluster;
    private static ExecutorService runner;

    @BeforeAll
    static void startMember() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String name = "mp4j-data-corners-test-" + System.nanoTime();
        String address = "127.0.0.1:" + port;
        runner = Executors.newCachedThreadPool();
        try {
            member = Hazelcast.newHazelcastInstance(ClusterConfigs.member(name, "127.0.0.1", port, List.of(address), 0));
            cluster = HazelcastWorkers.builder().clusterName(name).members(address)
                    .authkey("the cluster data corners test's key".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .connectTimeout(HANG).connect();
        } catch (Exception | Error e) {
            stopMember();
            throw e;
        }
    }

    @AfterAll
    static void stopMember() throws InterruptedException {
        runner.shutdownNow();
        try {
            assertTrue(runner.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS), "a dict call spins on after the test");
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (member != null) {
                member.shutdown();
            }
        }
    }

    /** The result of {@code call}, or a failure if it has not ended within {@link #HANG} (a spin, not a slow call). */
    private static <R> R within(Callable<R> call) throws Exception {
        Future<R> f = runner.submit(call);
        try {
            return f.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("the dict call did not end within " + HANG + " (it spins on a compare-and-set that never matches)");
        }
    }

    /** A value that keeps Object's {@code equals}: only the same instance is equal to it. */
    private static final class Box implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final int n;

        Box(int n) {
            this.n = n;
        }
    }

    /**
     * A dict (by name, and a cluster manager's) holding arrays or values keeping Object's {@code equals}:
     * {@code replaceAll} ran ConcurrentMap's retry loop over {@code replace(k, old, new)}, whose old value
     * (a decoded copy) never {@code equals} the stored one (another decoded copy), so it never ended; and
     * {@code replace(k, d.get(k), v)} / {@code remove(k, d.get(k))} always failed. A local manager's dict
     * matches such values by their serialized form (guarantees.md, Managers): the same program now gives
     * the same results on the cluster.
     */
    @Test
    void replaceAllReplaceAndRemoveEndAndMatchValuesThatCompareByIdentity() throws Exception {
        String name = "identity-" + System.nanoTime();
        try (Manager manager = cluster.context().manager()) {
            List<ConcurrentMap<String, int[]>> dicts = List.of(cluster.data().dict(name), manager.dict());
            for (ConcurrentMap<String, int[]> dict : dicts) {
                dict.put("k", new int[] {1});
                within(() -> {
                    dict.replaceAll((k, v) -> new int[] {v[0] + 1});
                    return null;
                });
                assertArrayEquals(new int[] {2}, dict.get("k"), dict + ": replaceAll");
                assertTrue(within(() -> dict.replace("k", dict.get("k"), new int[] {3})), dict + ": replace(k, get(k), new)");
                assertArrayEquals(new int[] {3}, dict.get("k"));
                assertFalse(within(() -> dict.replace("k", new int[] {9}, new int[] {4})), dict + ": replace with another array");
                assertFalse(within(() -> dict.remove("k", new int[] {9})), dict + ": remove with another array");
                assertTrue(within(() -> dict.remove("k", dict.get("k"))), dict + ": remove(k, get(k))");
                assertNull(dict.get("k"));
            }
            ConcurrentMap<String, Box> boxes = manager.dict();
            boxes.put("k", new Box(1));
            within(() -> {
                boxes.replaceAll((k, v) -> new Box(v.n + 1));
                return null;
            });
            assertEquals(2, boxes.get("k").n, "replaceAll over values keeping Object.equals");
        } finally {
            cluster.data().destroy(name);
        }
    }

    /**
     * A cluster context's queue's {@code asBlockingQueue()} view was the cluster's queue itself: closing the
     * queue neither woke a thread blocked in the view's {@code take} (it waited on for an item) nor stopped
     * later calls through the view. A local queue's view is the queue's own calls, so both throw
     * {@link IllegalStateException} (README: "threads blocked in them are woken to throw it"); other handles
     * of the queue go on.
     */
    @Test
    void aClosedQueuesBlockingViewWakesItsWaitersAndRefusesLaterCalls() throws Exception {
        org.multiprocessing4j.Context ctx = cluster.context();
        List<org.multiprocessing4j.Queue<String>> queues = List.of(ctx.queue(), ctx.joinableQueue());
        for (org.multiprocessing4j.Queue<String> queue : queues) {
            java.util.concurrent.BlockingQueue<String> view = queue.asBlockingQueue();
            java.util.concurrent.BlockingQueue<String> other = cluster.context().<String>queue().asBlockingQueue(); // unrelated, stays open
            Future<String> taker = runner.submit(() -> view.take());
            Future<String> poller = runner.submit(() -> view.poll(1, TimeUnit.DAYS));
            Thread.sleep(300); // let both block (not a timing assertion: they throw either way)
            queue.close();
            for (Future<String> waiter : List.of(taker, poller)) {
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> waiter.get(HANG.toSeconds(), TimeUnit.SECONDS),
                        queue + ": a thread blocked in its view was not woken by close");
                org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, e.getCause());
            }
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> view.offer("late"), queue + ": view.offer after close");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, view::poll, queue + ": view.poll after close");
            assertTrue(other.offer("x"));
            assertEquals("x", other.poll());
        }
    }

    /**
     * A cluster context's joinable queue: {@code taskDone()} and {@code join()} went straight to the cluster's
     * count, so they worked on after {@code close()} and a join waiting at the close waited on, where a local
     * joinable queue refuses them with {@link IllegalStateException} (and close wakes its waiters).
     */
    @Test
    void aClosedJoinableQueueRefusesTaskDoneAndWakesItsJoin() throws Exception {
        org.multiprocessing4j.JoinableQueue<String> queue = cluster.context().joinableQueue();
        queue.put("never done");
        Future<Object> joiner = runner.submit(() -> {
            queue.join();
            return "returned";
        });
        Thread.sleep(300); // let it block (not a timing assertion: it throws either way)
        queue.close();
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> joiner.get(HANG.toSeconds(), TimeUnit.SECONDS),
                "a join waiting at close was not woken");
        org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, e.getCause());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, queue::taskDone, "taskDone after close");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, queue::join, "join after close");
    }
}
