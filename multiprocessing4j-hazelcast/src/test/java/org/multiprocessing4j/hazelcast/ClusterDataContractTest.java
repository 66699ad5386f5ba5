package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ClusterData} contracts on real members: a dict's conditional operations compare values with
 * {@code equals} (not their encodings, which JDK serialization does not make canonical), and structure
 * names are checked.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterDataContractTest {
    private static MemberCluster cluster;
    private static ClusterData data;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 1);
        data = cluster.workers.data();
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A map equal to {@code {n=value}} whose JDK encoding differs from that of a decoded copy (a HashMap
     * writes its bucket count: 64 here, 16 for the copy a decode makes).
     */
    private static Map<String, Integer> roomy(int value) {
        Map<String, Integer> m = new HashMap<>(64);
        m.put("n", value);
        return m;
    }

    private static String unique(String what) {
        return what + "-" + System.nanoTime();
    }

    @Test
    void conditionalReplaceAndRemoveCompareByEquals() {
        String name = unique("dict");
        ConcurrentMap<String, Map<String, Integer>> dict = data.dict(name);
        try {
            dict.put("k", roomy(1));
            assertEquals(roomy(1), dict.get("k"));
            assertTrue(dict.replace("k", dict.get("k"), Map.of("n", 2)), "replace(k, get(k), new) failed");
            assertEquals(Map.of("n", 2), dict.get("k"));
            assertFalse(dict.replace("k", roomy(1), Map.of("n", 3)), "replace with an unequal old value succeeded");
            dict.put("k", roomy(4));
            assertFalse(dict.remove("k", roomy(5)), "remove with an unequal value succeeded");
            assertTrue(dict.remove("k", dict.get("k")), "remove(k, get(k)) failed");
            assertNull(dict.get("k"));
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void mergeAndComputeEndOnValuesWithUnstableEncodings() throws Exception {
        String name = unique("dict");
        ConcurrentMap<String, Map<String, Integer>> dict = data.dict(name);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            dict.put("k", roomy(1));
            assertEquals(Map.of("n", 6), within(runner, () -> dict.merge("k", Map.of("n", 5), ClusterDataContractTest::sum)));
            dict.put("k", roomy(1));
            assertEquals(Map.of("n", 10), within(runner, () -> dict.compute("k", (k, v) -> sum(v, Map.of("n", 9)))));
            dict.put("k", roomy(1));
            assertEquals(Map.of("n", 3), within(runner, () -> dict.computeIfPresent("k", (k, v) -> sum(v, Map.of("n", 2)))));
            dict.put("k", roomy(1));
            assertNull(within(runner, () -> dict.computeIfPresent("k", (k, v) -> null)));
            assertFalse(dict.containsKey("k"));
            assertEquals(Map.of("n", 7), within(runner, () -> dict.compute("k", (k, v) -> v == null ? roomy(7) : v)));
            assertNull(within(runner, () -> dict.compute("k", (k, v) -> null)));
            assertFalse(dict.containsKey("k"));
            dict.put("k", roomy(1));
            dict.replaceAll((k, v) -> sum(v, Map.of("n", 1)));
            assertEquals(Map.of("n", 2), dict.get("k"));
        } finally {
            runner.shutdownNow();
            assertTrue(runner.awaitTermination(MemberCluster.HANG.toSeconds(), TimeUnit.SECONDS), "a dict operation spins on");
            data.destroy(name);
        }
    }

    private static Map<String, Integer> sum(Map<String, Integer> a, Map<String, Integer> b) {
        Map<String, Integer> m = new HashMap<>(64);
        m.put("n", a.get("n") + b.get("n"));
        return m;
    }

    /** The result of {@code call}, or a failure if it has not ended after 30 s (a spin, not a slow call). */
    private static <R> R within(ExecutorService runner, java.util.concurrent.Callable<R> call) throws Exception {
        Future<R> f = runner.submit(call);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("the dict operation did not end (it spins on a compare-and-set that never matches)");
        }
    }

    @Test
    void aTimeoutOfForeverWaitsInsteadOfOverflowing() throws Exception {
        // NOTE: the acquire threw ArithmeticException (Duration.toNanos); the poll saturates as well
        BlockingQueue<String> queue = data.queue(unique("forever"));
        ExecutorService putter = Executors.newSingleThreadExecutor();
        try {
            putter.submit(() -> {
                Thread.sleep(300);
                return queue.offer("late");
            });
            assertEquals("late", queue.poll(Long.MAX_VALUE, TimeUnit.DAYS));
        } finally {
            putter.shutdownNow();
        }
        ClusterSemaphore semaphore = data.semaphore(unique("forever"), 1);
        assertTrue(semaphore.acquire(ChronoUnit.FOREVER.getDuration()));
        semaphore.release();
    }

    @Test
    void nullOrBlankNamesAreRefused() {
        List<Executable> calls = List.of(() -> data.queue(null), () -> data.queue(""), () -> data.dict(null), () -> data.dict(" "),
                () -> data.list(null), () -> data.list("\t"), () -> data.lock(null), () -> data.lock(""),
                () -> data.semaphore(null, 1), () -> data.semaphore(" ", 1), () -> data.destroy(null), () -> data.destroy(""));
        for (Executable call : calls) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains("name"), () -> "the message does not name the parameter: " + e.getMessage());
        }
    }

    @Test
    void aListRefusesANegativeInsertionIndexInsteadOfAppending() {
        // NOTE: Hazelcast's IList.add(-1, x) appends
        List<String> list = data.list(unique("negative"));
        list.add("a");
        list.add("b");
        assertThrows(IndexOutOfBoundsException.class, () -> list.add(-1, "x"));
        list.add(1, "m");
        assertEquals(List.of("a", "m", "b"), List.copyOf(list));
    }

    @Test
    void aSemaphoreOfManyPermitsIsMadeInBatchesAndOneOfTooManyIsRefused() {
        // NOTE: one round trip per permit made 10,000 permits take 2.5 s, and Integer.MAX_VALUE never end
        ClusterSemaphore many = data.semaphore(unique("many"), 20_000);
        assertEquals(20_000, many.getValue());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> data.semaphore(unique("too-many"), Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
    }

    @FunctionalInterface
    private interface Executable {
        void run() throws Throwable;
    }
}
