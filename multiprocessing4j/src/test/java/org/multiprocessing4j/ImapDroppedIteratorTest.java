package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An imap iterator or an executor's map stream dropped with results unread, over an endless input: its
 * input reader ends once it is garbage collected, instead of staying parked until the pool closes (a thread
 * and a look-ahead of results per dropped call, as with {@code pool.imap(f, xs).next()} to take a first result).
 */
class ImapDroppedIteratorTest extends ChildProcessTestBase {

    @Test
    void a_dropped_imap_iterator_stops_reading_its_input() throws Exception {
        try (Pool pool = new Pool(2)) {
            Set<Thread> before = feeders();
            for (int i = 0; i < 3; i++) {
                assertEquals(0L, (long) pool.imap(x -> x, new EndlessInput()).next());
            }
            assertFeedersEnd(before);
            assertEquals(4, pool.apply(() -> 2 * 2));
        }
    }

    @Test
    void a_dropped_imapUnordered_iterator_stops_reading_its_input() throws Exception {
        try (Pool pool = new Pool(2)) {
            Set<Thread> before = feeders();
            assertTrue(pool.imapUnordered(x -> x, new EndlessInput(), 5).hasNext());
            assertFeedersEnd(before);
        }
    }

    @Test
    void a_map_stream_dropped_after_findFirst_stops_reading_its_input() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            Set<Thread> before = feeders();
            Iterable<Long> endless = EndlessInput::new;
            assertEquals(0L, ex.map(x -> x, endless).findFirst().orElseThrow());
            assertFeedersEnd(before);
            assertEquals(4, ex.submit(() -> 2 * 2).get());
        }
    }

    private static Set<Thread> feeders() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().endsWith("-imap-feeder"))
                .collect(Collectors.toSet());
    }

    /** Collects garbage until the feeders started since {@code before} have ended; fails after {@link #HANG}. */
    private static void assertFeedersEnd(Set<Thread> before) throws InterruptedException {
        Set<Thread> started = feeders();
        started.removeAll(before);
        assertTrue(!started.isEmpty(), "no imap feeder thread was found");
        long deadline = System.nanoTime() + HANG.toNanos();
        while (started.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(List.of(), started.stream().filter(Thread::isAlive).map(Thread::getName).toList(),
                "imap feeders still reading after their iterators were dropped");
    }
}
