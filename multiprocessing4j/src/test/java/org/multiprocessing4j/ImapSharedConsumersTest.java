package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One {@link ResultIterator} consumed by several threads at once, as CPython's {@code IMapIterator} may be. */
class ImapSharedConsumersTest extends ChildProcessTestBase {
    private static final int ITEMS = 3000;
    private static final int THREADS = 4;

    @Test
    void threads_sharing_an_imap_iterator_get_every_result_once() throws Exception {
        try (Pool pool = new Pool(2)) {
            for (int chunksize : new int[] {1, 7}) {
                assertEveryResultOnce(pool.imap(x -> x, range(), chunksize), "imap, chunksize " + chunksize);
            }
        }
    }

    @Test
    void threads_sharing_an_imapUnordered_iterator_get_every_result_once() throws Exception {
        try (Pool pool = new Pool(2)) {
            for (int chunksize : new int[] {1, 7}) {
                assertEveryResultOnce(pool.imapUnordered(x -> x, range(), chunksize), "imapUnordered, chunksize " + chunksize);
            }
        }
    }

    @Test
    void next_with_a_timeout_counts_the_wait_for_another_threads_call_and_times_out() throws Exception {
        try (Event gate = new Event(); Pool pool = new Pool(1)) {
            ResultIterator<Integer> it = pool.imap(x -> PoolCornersTest.passAfter(gate, x), List.of(1, 2));
            Thread blocked = Thread.ofPlatform().start(it::hasNext); // waits for item 1, behind the gate
            assertThrows(TimeoutException.class, () -> it.next(Duration.ofMillis(200)));
            gate.set();
            blocked.join(HANG);
            assertEquals(1, it.next(HANG));
            assertEquals(2, it.next(HANG));
        }
    }

    private static List<Integer> range() {
        return IntStream.range(0, ITEMS).boxed().toList();
    }

    private static void assertEveryResultOnce(ResultIterator<Integer> it, String what) throws InterruptedException {
        ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> consumers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            consumers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        got.add(it.next(HANG));
                    }
                } catch (NoSuchElementException end) {
                    // every result has been taken
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread consumer : consumers) {
            consumer.join(HANG);
            assertTrue(!consumer.isAlive(), what + ": a consumer still runs after " + HANG);
        }
        assertEquals(List.of(), List.copyOf(errors), what + ": the consumers' exceptions");
        Map<Integer, Long> counts = got.stream().collect(Collectors.groupingBy(x -> x, TreeMap::new, Collectors.counting()));
        List<Integer> missing = range().stream().filter(x -> !counts.containsKey(x)).toList();
        List<Integer> repeated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), missing, what + ": results never returned");
        assertEquals(List.of(), repeated, what + ": results returned twice");
        assertEquals(ITEMS, got.size(), what + ": results returned");
    }
}
