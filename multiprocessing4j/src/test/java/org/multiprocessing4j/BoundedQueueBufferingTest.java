package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.QueueTest.BLOCKED;
import static org.multiprocessing4j.QueueTest.SHORT;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A bounded {@link Queue} or {@link JoinableQueue} whose {@code maxsize} items take more bytes than its shared
 * memory holds: as in CPython (whose feeder thread writes the pipe), {@code put} waits for {@code maxsize}
 * only, the items past the shared memory wait in the producing process and still hold their places under
 * {@code maxsize}. Rings of 1 KiB (about 60 small items) make that happen with few items.
 */
class BoundedQueueBufferingTest extends ChildProcessTestBase {
    private static final int RING = 1024;

    @Test
    void one_thread_puts_maxsize_items_of_more_bytes_than_the_shared_memory_and_then_gets_them() {
        // NOTE: waited forever before: put waited for room in the bytes although maxsize was not reached
        assertTimeoutPreemptively(HANG, () -> {
            try (Queue<Integer> q = new Queue<>(2_000, RING)) {
                for (int i = 0; i < 1_999; i++) {
                    q.put(i);
                }
                q.putNowait(1_999);
                assertEquals(2_000, q.qsize(), "qsize counts the items this process holds for the queue");
                assertTrue(q.full(), "buffered items hold their places under maxsize");
                assertThrows(QueueFullException.class, () -> q.putNowait(2_000));
                assertThrows(QueueFullException.class, () -> q.put(2_000, SHORT));
                assertEquals(0, q.get(HANG));
                q.put(2_000, HANG); // NOTE: the get freed one place
                assertTrue(q.full());
                for (int i = 1; i <= 2_000; i++) {
                    assertEquals(i, q.get(HANG), "items keep their order");
                }
                assertTrue(q.empty());
                assertEquals(0, q.qsize());
                assertFalse(q.full());
            }
        });
    }

    @Test
    void producers_in_two_children_stop_at_maxsize_and_every_item_arrives_once_in_order() throws Exception {
        int maxsize = 300;
        int perProducer = 2_000;
        try (Queue<Integer> q = new Queue<>(maxsize, RING)) {
            Process[] producers = startProducers(q, 2, perProducer);
            int[] next = {0, perProducer};
            int total = 2 * perProducer;
            for (int taken = 0; taken < total; ) {
                if (total - taken >= maxsize) {
                    // NOTE: checked when nothing moves (qsize reads two counters, so it is exact only then)
                    awaitQsize(q, maxsize);
                    Thread.sleep(BLOCKED.toMillis());
                    assertEquals(maxsize, q.qsize(), "the producers wait at maxsize, items buffered past the shared memory"
                            + " included, after " + taken + " gets");
                }
                for (int k = 0; k < 500 && taken < total; k++, taken++) {
                    int item = q.get(HANG);
                    int p = item / perProducer;
                    assertEquals(next[p], item, "each producer's items come in its order, once");
                    next[p]++;
                }
            }
            for (Process producer : producers) {
                producer.join(HANG);
                assertEquals(0, producer.exitCode());
            }
            assertEquals(0, q.qsize());
            assertThrows(QueueEmptyException.class, q::getNowait);
        }
    }

    /** Starts {@code count} child producers; producer p puts p × perProducer, ..., in order. */
    private static Process[] startProducers(Queue<Integer> q, int count, int perProducer) {
        Process[] producers = new Process[count];
        for (int p = 0; p < count; p++) {
            int base = p * perProducer;
            producers[p] = new Process(checked(() -> {
                for (int i = 0; i < perProducer; i++) {
                    q.put(base + i);
                }
            }));
            producers[p].start();
        }
        return producers;
    }

    private static void awaitQsize(Queue<?> q, int size) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (q.qsize() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void a_bounded_JoinableQueue_joins_only_after_the_buffered_items_were_taken_and_done() throws Exception {
        try (JoinableQueue<Integer> q = new JoinableQueue<>(500, RING)) {
            assertTimeoutPreemptively(HANG, () -> {
                for (int i = 0; i < 500; i++) {
                    q.put(i);
                }
            });
            assertEquals(500, q.qsize());
            Process consumer = new Process(checked(() -> {
                for (int i = 0; i < 500; i++) {
                    if (q.get() != i) {
                        throw new AssertionError("out of order at " + i);
                    }
                    q.taskDone();
                }
            }));
            consumer.start();
            assertTimeoutPreemptively(HANG, () -> q.join());
            assertEquals(0, q.qsize());
            assertThrows(IllegalStateException.class, q::taskDone, "every item is done: one more is too many");
            consumer.join(HANG);
            assertEquals(0, consumer.exitCode());
        }
    }

    @Test
    void a_put_that_times_out_at_maxsize_leaves_no_trace_and_a_later_one_fits() throws Exception {
        try (Queue<String> q = new Queue<>(100, RING)) {
            String item = "x".repeat(100); // NOTE: about 8 fit the shared memory, the other 92 wait here
            assertTimeoutPreemptively(HANG, () -> {
                for (int i = 0; i < 100; i++) {
                    q.put(item + i);
                }
            });
            long start = System.nanoTime();
            assertThrows(QueueFullException.class, () -> q.put("late", Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos());
            assertEquals(100, q.qsize(), "the timed-out put left nothing behind");
            for (int i = 0; i < 100; i++) {
                assertEquals(item + i, q.get(HANG));
            }
            q.putNowait("late");
            assertEquals("late", q.get(HANG));
            assertEquals(0, q.qsize());
        }
    }

    @Test
    void producers_whose_buffered_items_hold_every_place_do_not_stall_each_other() throws Exception {
        // NOTE: consumers often empty the shared memory while maxsize places are all held by items still in
        // the producers' feeders; a producer waiting for a place then must not keep the lock those feeders need
        int perProducer = 20_000;
        try (Queue<Integer> q = new Queue<>(200, RING)) {
            Process[] producers = startProducers(q, 2, perProducer);
            boolean[] seen = new boolean[2 * perProducer];
            Thread[] consumers = new Thread[2];
            int[] counts = new int[consumers.length];
            for (int c = 0; c < consumers.length; c++) {
                int me = c;
                consumers[c] = Thread.ofPlatform().start(() -> {
                    try {
                        for (; ; ) {
                            int item = q.get(HANG);
                            if (item < 0) {
                                return;
                            }
                            synchronized (seen) {
                                assertFalse(seen[item], "item " + item + " arrived twice");
                                seen[item] = true;
                            }
                            counts[me]++;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (Process producer : producers) {
                producer.join(HANG);
                assertEquals(0, producer.exitCode());
            }
            q.put(-1);
            q.put(-1);
            for (Thread consumer : consumers) {
                consumer.join(HANG.toMillis());
                assertFalse(consumer.isAlive(), "a consumer still waits");
            }
            assertEquals(2 * perProducer, counts[0] + counts[1]);
            for (int i = 0; i < seen.length; i++) {
                assertTrue(seen[i], "item " + i + " never arrived");
            }
        }
    }

    @Test
    void a_producer_that_lets_its_buffered_items_go_at_exit_frees_their_places_and_their_files() throws Exception {
        try (Queue<String> q = new Queue<>(100, RING)) {
            Process quitter = new Process(checked(() -> {
                for (int i = 0; i < 40; i++) {
                    q.put("s" + i + "-".repeat(40)); // NOTE: about 18 fill the shared memory; the rest wait here
                }
                for (int i = 0; i < 3; i++) {
                    q.put("big" + i + "x".repeat(4_000)); // NOTE: larger than the shared memory: a file each
                }
                q.cancelJoinThread();
            }));
            quitter.start();
            quitter.join(HANG);
            assertEquals(0, quitter.exitCode());
            int arrived = 0;
            int counted = q.qsize();
            while (true) {
                try {
                    assertTrue(q.getNowait().startsWith("s"), "only small items reached the shared memory");
                    arrived++;
                } catch (QueueEmptyException e) {
                    break;
                }
            }
            assertTrue(arrived > 0 && arrived < 40, "what fitted arrived, the rest was let go: " + arrived);
            // NOTE: counted the items it let go for ever before, holding their places under maxsize
            assertEquals(arrived, counted, "qsize counts no item that died with the producer");
            assertEquals(0, q.qsize());
            for (int i = 0; i < 100; i++) {
                q.putNowait("again" + i); // NOTE: every place is free again
            }
            assertTrue(q.full());
            for (int i = 0; i < 100; i++) {
                assertEquals("again" + i, q.get(HANG)); // NOTE: so that this process's feeder holds nothing at close
            }
        }
        // NOTE: ChildProcessTestBase then checks that the three items' files are gone from /dev/shm
    }

    @Test
    void the_places_and_tasks_of_items_a_killed_producer_held_come_back() throws Exception {
        // NOTE: CPython's queue keeps such places taken and its join() waits for those items for ever
        try (JoinableQueue<String> q = new JoinableQueue<>(100, RING)) {
            Process producer = new Process(checked(() -> {
                for (int i = 0; i < 40; i++) {
                    q.put("s" + i + "-".repeat(40)); // NOTE: about 18 fill the shared memory; the rest wait here
                }
                Thread.sleep(HANG.toMillis());
            }));
            producer.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (q.qsize() < 40 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(40, q.qsize());
            producer.kill();
            producer.join(HANG);
            int arrived = 0;
            while (true) {
                try {
                    q.getNowait();
                    q.taskDone();
                    arrived++;
                } catch (QueueEmptyException e) {
                    break;
                }
            }
            assertTrue(arrived > 0 && arrived < 40, "what was in the shared memory arrived: " + arrived);
            assertTimeoutPreemptively(HANG, () -> q.join(), "join does not wait for items that died with their producer");
            assertEquals(0, q.qsize());
            for (int i = 0; i < 100; i++) {
                q.putNowait("again" + i); // NOTE: every place is free again
            }
            for (int i = 0; i < 100; i++) {
                assertEquals("again" + i, q.get(HANG));
                q.taskDone();
            }
        }
    }

    /**
     * A second handle of {@code q} in this JVM, as a child's would be: it maps the file on its own. Not a
     * decoded copy: decoding the handle again in one JVM gives the same instance while it is open.
     */
    private static <T> Queue<T> copyOf(Queue<T> q) {
        Queue<T> copy = Queue.separateHandle(q);
        copy.qsize(); // NOTE: maps it now, before the creator closes it
        return copy;
    }

    @Test
    void after_the_creator_closed_a_timed_put_on_full_shared_memory_times_out_and_a_closed_handle_gives_its_place_back()
            throws Exception {
        // NOTE: the creator's close removes the file, so a handle attached before cannot make a feeder (it needs a
        // mapping of its own) and waits for room itself. Before: putNowait blocked until a get (3 s+), and a put
        // blocked so when its own handle was closed kept its place under maxsize for the process's life.
        Queue<String> q = new Queue<>(3, 128);
        Queue<String> waiter = copyOf(q);
        Queue<String> other = copyOf(q);
        q.close();
        String item = "A".repeat(70); // NOTE: one fills the 128-byte shared memory
        try {
            other.put(item);
            assertTimeoutPreemptively(HANG, () -> {
                assertThrows(QueueFullException.class, () -> other.putNowait(item));
                assertThrows(QueueFullException.class, () -> other.put(item, SHORT));
            });
            assertEquals(1, other.qsize(), "the refused puts hold no place");
            Thread blocked = Thread.ofPlatform().start(() -> {
                try {
                    waiter.put(item); // waits for room itself
                } catch (IllegalStateException closed) {
                    // expected: its handle is closed below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long deadline = System.nanoTime() + HANG.toNanos();
            while (other.qsize() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, other.qsize(), "the blocked put holds its place");
            waiter.close();
            blocked.join(HANG.toMillis());
            assertFalse(blocked.isAlive());
            assertEquals(1, other.qsize(), "the closed handle's put gave its place back");
            assertEquals(item, other.get(HANG));
            assertEquals(0, other.qsize());
        } finally {
            waiter.close();
            other.close();
        }
    }

    @Test
    void a_queue_of_the_smallest_shared_memory_takes_items() throws Exception {
        // NOTE: a 64-byte queue started writing at offset 60, not 8-aligned: its first put threw IndexOutOfBounds
        try (Queue<Integer> q = new Queue<>(0, 64)) {
            for (int i = 0; i < 10; i++) {
                q.put(i);
                assertEquals(i, q.get(HANG));
            }
        }
    }
}
