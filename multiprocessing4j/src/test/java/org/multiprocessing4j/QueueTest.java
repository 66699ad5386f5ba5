package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Queue, SimpleQueue and JoinableQueue: the API contract, in one JVM and with real child JVMs. */
class QueueTest extends ChildProcessTestBase {
    /** How long a blocked call is given to really block before the test disturbs it. */
    static final Duration BLOCKED = Duration.ofMillis(200);
    /** A short timeout whose expiry the test expects. */
    static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void items_put_by_a_child_arrive_in_order_and_none_is_lost_when_it_exits_right_after() throws Exception {
        try (Queue<Object> q = new Queue<>()) {
            Process producer = new Process(checked(() -> {
                for (int i = 0; i < 1000; i++) {
                    q.put(i);
                }
                q.put("last");
            }));
            assertEquals(0, run(producer));
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, q.get(HANG));
            }
            assertEquals("last", q.getNowait());
            assertTrue(q.empty());
        }
    }

    @Test
    void get_times_out_with_QueueEmptyException_and_getNowait_fails_at_once() throws Exception {
        try (Queue<String> q = new Queue<>()) {
            assertThrows(QueueEmptyException.class, q::getNowait);
            long start = System.nanoTime();
            assertThrows(QueueEmptyException.class, () -> q.get(SHORT));
            assertTrue(System.nanoTime() - start >= SHORT.toNanos());
            assertThrows(QueueEmptyException.class, () -> q.get(Duration.ZERO));
            q.putNowait("a");
            assertEquals("a", q.get(Duration.ZERO));
        }
    }

    @Test
    void put_over_maxsize_times_out_with_QueueFullException_and_putNowait_fails_at_once() throws Exception {
        try (Queue<Integer> q = new Queue<>(2)) {
            q.put(1);
            q.putNowait(2);
            assertTrue(q.full());
            assertEquals(2, q.qsize());
            assertThrows(QueueFullException.class, () -> q.putNowait(3));
            long start = System.nanoTime();
            assertThrows(QueueFullException.class, () -> q.put(3, SHORT));
            assertTrue(System.nanoTime() - start >= SHORT.toNanos());
            assertEquals(1, q.get());
            q.put(3, SHORT);
            assertEquals(2, q.get());
            assertEquals(3, q.get());
            assertFalse(q.full());
        }
    }

    @Test
    void a_child_blocked_on_maxsize_resumes_when_the_parent_gets() throws Exception {
        try (Queue<Integer> q = new Queue<>(2)) {
            Process producer = new Process(checked(() -> {
                for (int i = 0; i < 5; i++) {
                    q.put(i);
                }
            }));
            producer.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (q.qsize() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(BLOCKED.toMillis());
            assertEquals(2, q.qsize(), "the producer must wait for room");
            assertTrue(producer.isAlive());
            for (int i = 0; i < 5; i++) {
                assertEquals(i, q.get(HANG));
            }
            producer.join(HANG);
            assertEquals(0, producer.exitCode());
        }
    }

    @Test
    void put_on_an_unbounded_queue_never_waits_for_room_and_items_keep_their_order() {
        // NOTE: as CPython's: one thread puts far more than the shared memory holds, then gets them all
        assertTimeoutPreemptively(HANG, () -> {
            try (Queue<Integer> q = new Queue<>(0, 1024)) {
                int n = 20_000;
                for (int i = 0; i < n; i++) {
                    q.put(i);
                }
                q.putNowait(n);
                q.put(n + 1, Duration.ZERO);
                assertEquals(n + 2, q.qsize(), "qsize counts the items this process holds for the queue");
                for (int i = 0; i < n + 2; i++) {
                    assertEquals(i, q.get(HANG));
                }
                assertTrue(q.empty());
                assertEquals(0, q.qsize());
            }
        });
    }

    @Test
    void a_child_that_put_more_than_the_shared_memory_holds_exits_once_its_items_were_taken() throws Exception {
        int n = 100_000; // about 1.6 MB of records: more than the 1 MiB of shared memory
        try (Queue<Integer> q = new Queue<>()) {
            Process producer = new Process(checked(() -> {
                for (int i = 0; i < n; i++) {
                    q.put(i);
                }
            }));
            producer.start();
            long sum = 0;
            for (int i = 0; i < n; i++) {
                int item = q.get(HANG);
                assertEquals(i, item, "one producer's items come in its order");
                sum += item;
            }
            producer.join(HANG);
            assertEquals(0, producer.exitCode());
            assertEquals((long) n * (n - 1) / 2, sum);
            assertThrows(QueueEmptyException.class, q::getNowait);
        }
    }

    @Test
    void joinThread_waits_for_buffered_items_after_close_and_cancelJoinThread_lets_a_process_exit_without_them() throws Exception {
        try (Queue<Integer> q = new Queue<>(0, 1024)) {
            assertThrows(IllegalStateException.class, q::joinThread, "only after close(), as in Python");
            // A child that buffers items nobody takes, and lets them go: it exits anyway.
            Process quitter = new Process(checked(() -> {
                for (int i = 0; i < 1000; i++) {
                    q.put(i);
                }
                q.cancelJoinThread();
            }));
            assertEquals(0, run(quitter));
            int arrived = 0;
            while (true) {
                try {
                    q.getNowait();
                    arrived++;
                } catch (QueueEmptyException e) {
                    break;
                }
            }
            assertTrue(arrived > 0 && arrived < 1000, "what fitted the shared memory arrived, the rest was let go: " + arrived);
        }
        // And one that waits: the parent's own buffered items reach a child consumer after close().
        try (Queue<Integer> q = new Queue<>(0, 1024); Queue<Long> sums = new Queue<>()) {
            Process consumer = new Process(checked(() -> {
                long sum = 0;
                for (int i = 0; i < 1000; i++) {
                    sum += q.get();
                }
                sums.put(sum);
            }));
            for (int i = 0; i < 1000; i++) {
                q.put(i);
            }
            consumer.start();
            q.close();
            q.joinThread();
            assertEquals(999L * 1000 / 2, sums.get(HANG));
            consumer.join(HANG);
            assertEquals(0, consumer.exitCode());
        }
    }

    @Test
    void a_put_that_does_not_fit_the_bytes_waits_for_space_and_items_wrap_around() throws Exception {
        try (Queue<byte[]> q = new Queue<>(0, 1024, null, false)) {
            byte[] item = new byte[300];
            q.put(item);
            q.put(item);
            q.put(item);
            assertThrows(QueueFullException.class, () -> q.put(item, SHORT));
            for (int round = 0; round < 20; round++) {
                item[0] = (byte) round;
                byte[] got = q.get();
                assertEquals(300, got.length);
                q.put(item.clone());
            }
            for (int i = 0; i < 3; i++) {
                q.get();
            }
            // Larger than the whole ring: it travels in a file of its own, removed by the get that takes it.
            byte[] big = new byte[2000];
            big[1999] = 42;
            q.put(big);
            q.put(item);
            byte[] got = q.get();
            assertEquals(2000, got.length);
            assertEquals(42, got[1999]);
            assertEquals(300, q.get().length);
        }
    }

    /** Encoded sizes of the large items below: these fractions of the most the shared memory takes (1.0: all of it). */
    static final double[] LARGE_FRACTIONS = {0.5, 0.6, 0.75, 0.9, 0.99, 1.0};

    /**
     * A byte array whose encoded form is {@code fraction} of the largest item the shared memory takes, its
     * first and last bytes marked with {@code mark}.
     */
    static byte[] largeItem(double fraction, byte mark) {
        int encoded = (int) ((Queue.CAPACITY_BYTES - 8) * fraction);
        int overhead = org.multiprocessing4j.internal.pipe.DefaultCodec.of(null).encode(new byte[encoded], "a test item").length - encoded;
        byte[] item = new byte[encoded - overhead];
        item[0] = mark;
        item[item.length - 1] = mark;
        return item;
    }

    static void assertLargeItem(byte[] expected, byte[] got) {
        assertEquals(expected.length, got.length);
        assertEquals(expected[0], got[0]);
        assertEquals(expected[expected.length - 1], got[got.length - 1]);
    }

    @Test
    void a_simple_queue_put_of_an_item_over_half_the_shared_memory_returns_while_the_queue_holds_no_item() throws Exception {
        // NOTE: the small items move the positions by odd amounts, so that the large one does not fit before
        // the ring's end: its put wraps (a PAD over the rest). It used to wait there for a get to skip that PAD
        // although the queue held no item, so a put followed by its get in one thread waited for ever.
        for (double fraction : LARGE_FRACTIONS) {
            try (SimpleQueue<byte[]> q = new SimpleQueue<>()) {
                for (int odd : new int[] {100_003, 337_777}) {
                    q.put(new byte[odd]);
                    assertEquals(odd, q.get().length);
                }
                for (byte round = 1; round <= 2; round++) {
                    byte[] item = largeItem(fraction, round);
                    assertTrue(q.empty());
                    assertTimeoutPreemptively(HANG, () -> q.put(item), "put of " + fraction + " of the shared memory into an empty queue");
                    assertLargeItem(item, q.get());
                }
            }
        }
        // the base class fails the test if a spill file is left in /dev/shm
    }

    @Test
    void a_child_puts_an_item_over_half_the_shared_memory_on_a_simple_queue_and_exits_before_the_parent_gets() throws Exception {
        try (SimpleQueue<byte[]> q = new SimpleQueue<>()) {
            Process producer = new Process(checked(() -> {
                q.put(new byte[337_777]); // an odd amount: the next item does not fit before the ring's end
                q.get();
                q.put(largeItem(0.75, (byte) 9)); // used to wait for the parent's get, which joins first
            }));
            producer.start();
            assertEquals(0, joined(producer));
            assertLargeItem(largeItem(0.75, (byte) 9), q.get());
            assertTrue(q.empty());
        }
    }

    @Test
    void items_larger_than_the_shared_memory_cross_processes_whole_and_leave_no_file() throws Exception {
        try (Queue<byte[]> q = new Queue<>(); Queue<Integer> sums = new Queue<>()) {
            Process child = new Process(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        byte[] item = q.get();
                        int sum = 0;
                        for (byte b : item) {
                            sum += b;
                        }
                        sums.put(item.length + sum);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            child.start();
            int[] sizes = {3 << 20, 5, (1 << 20) + 1};
            for (int size : sizes) {
                byte[] item = new byte[size];
                java.util.Arrays.fill(item, (byte) 1);
                q.put(item);
            }
            for (int size : sizes) {
                assertEquals(2 * size, sums.get(HANG));
            }
            child.join(HANG);
            assertEquals(0, child.exitCode());
        }
        // the base class fails the test if a spill file is left in /dev/shm
    }

    @Test
    void a_large_item_whose_put_times_out_leaves_no_file() throws Exception {
        try (Queue<byte[]> q = new Queue<>(1)) {
            q.put(new byte[1]);
            assertThrows(QueueFullException.class, () -> q.put(new byte[3 << 20], SHORT));
            assertEquals(1, q.get().length);
            assertTrue(q.empty());
        }
    }

    @Test
    void an_unserializable_item_fails_in_put_naming_its_class_and_nothing_is_put() throws Exception {
        try (Queue<Object> q = new Queue<>()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.put(new Thread()));
            assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
            assertTrue(q.empty());
            q.put(null);
            assertNull(q.get());
        }
    }

    @Test
    void an_interrupt_ends_a_blocked_get_and_leaves_the_queue_usable() throws Exception {
        try (Queue<String> q = new Queue<>()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread getter = new Thread(() -> {
                try {
                    q.get();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            getter.start();
            Thread.sleep(BLOCKED.toMillis());
            getter.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            q.put("x");
            assertEquals("x", q.get(HANG));
        }
    }

    @Test
    void an_interrupt_ends_a_put_blocked_on_maxsize_and_nothing_is_put() throws Exception {
        try (Queue<String> q = new Queue<>(1)) {
            q.put("first");
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread putter = new Thread(() -> {
                try {
                    q.put("second");
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            putter.start();
            Thread.sleep(BLOCKED.toMillis());
            putter.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals("first", q.get());
            assertTrue(q.empty());
            q.put("third", HANG); // the producer lock was released
            assertEquals("third", q.get());
        }
    }

    @Test
    void threads_of_one_process_share_a_queue_exactly_once() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        try (Queue<Integer> q = new Queue<>(100)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2 * threads);
            try {
                List<java.util.concurrent.Future<int[]>> consumers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int p = t;
                    pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            q.put(p * 1_000_000 + i);
                        }
                        return null;
                    });
                    consumers.add(pool.submit(() -> {
                        int[] got = new int[perThread];
                        for (int i = 0; i < perThread; i++) {
                            got[i] = q.get(HANG);
                        }
                        return got;
                    }));
                }
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (var c : consumers) {
                    for (int v : c.get(HANG.toSeconds(), TimeUnit.SECONDS)) {
                        assertTrue(seen.add(v), "item " + v + " received twice");
                    }
                }
                assertEquals(threads * perThread, seen.size());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void close_wakes_a_blocked_get_and_later_put_and_get_throw_IllegalStateException() throws Exception {
        Queue<String> q = new Queue<>();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread getter = new Thread(() -> {
            try {
                q.get();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        getter.start();
        Thread.sleep(BLOCKED.toMillis());
        q.close();
        assertInstanceOf(IllegalStateException.class, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> q.put("y"));
        assertThrows(IllegalStateException.class, q::get);
        q.close();
        q.joinThread();
        q.cancelJoinThread();
    }

    @Test
    void a_simple_queues_errors_name_a_SimpleQueue() throws Exception {
        SimpleQueue<Object> q = new SimpleQueue<>();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> q.put(new Thread()));
        assertTrue(bad.getMessage().contains("SimpleQueue["), bad.getMessage());
        q.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, q::get);
        assertTrue(closed.getMessage().contains("SimpleQueue["), closed.getMessage());
        assertTrue(q.toString().startsWith("SimpleQueue["), q.toString());
    }

    @Test
    void a_simple_queue_carries_items_from_a_child() throws Exception {
        try (SimpleQueue<String> q = new SimpleQueue<>()) {
            assertTrue(q.empty());
            assertEquals(0, run(new Process(checked(() -> q.put("from child")))));
            assertEquals("from child", q.get());
        }
    }

    @Test
    void join_returns_once_a_child_marked_every_item_done_and_extra_taskDone_throws() throws Exception {
        try (JoinableQueue<Integer> q = new JoinableQueue<>()) {
            for (int i = 0; i < 3; i++) {
                q.put(i);
            }
            Process worker = new Process(checked(() -> {
                for (int i = 0; i < 3; i++) {
                    q.get();
                    Thread.sleep(20);
                    q.taskDone();
                }
            }));
            worker.start();
            q.join();
            assertTrue(q.empty());
            worker.join(HANG);
            assertEquals(0, worker.exitCode());
            assertThrows(IllegalStateException.class, q::taskDone);
        }
    }

    @Test
    void the_blocking_queue_view_takes_timeouts_of_any_length_and_refuses_to_drain_into_its_own_queue() throws Exception {
        try (Queue<String> q = new Queue<>(2)) {
            BlockingQueue<String> view = q.asBlockingQueue();
            // NOTE: Long.MAX_VALUE days overflowed a Duration (ArithmeticException); it means "wait forever"
            assertTrue(view.offer("a", Long.MAX_VALUE, TimeUnit.DAYS));
            assertEquals("a", view.poll(Long.MAX_VALUE, TimeUnit.DAYS));
            view.put("b");
            Queue<String> copy = roundTrip(q);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> view.drainTo(q.asBlockingQueue()));
            assertTrue(e.getMessage().contains("into itself"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> view.drainTo(copy.asBlockingQueue(), 5));
            assertEquals(1, view.size(), "nothing was drained");
            view.clear();
            assertTrue(view.isEmpty(), "clear takes the items there are");
            copy.close();
        }
    }

    @Test
    void full_on_a_closed_queue_throws_as_qsize_and_empty_do() {
        Queue<String> q = new Queue<>();
        q.close();
        assertThrows(IllegalStateException.class, q::qsize);
        assertThrows(IllegalStateException.class, q::empty);
        assertThrows(IllegalStateException.class, q::full);
    }

    @Test
    void the_blocking_queue_view_offers_polls_and_takes() throws Exception {
        try (Queue<String> q = new Queue<>(2)) {
            BlockingQueue<String> view = q.asBlockingQueue();
            assertTrue(view.offer("a"));
            assertTrue(view.offer("b", 10, TimeUnit.MILLISECONDS));
            assertFalse(view.offer("c"));
            assertFalse(view.offer("c", 10, TimeUnit.MILLISECONDS));
            assertEquals(0, view.remainingCapacity());
            assertEquals(2, view.size());
            assertEquals("a", view.poll());
            assertEquals("b", view.take());
            assertNull(view.poll());
            assertNull(view.poll(10, TimeUnit.MILLISECONDS));
            assertThrows(NullPointerException.class, () -> view.offer(null));
            assertThrows(UnsupportedOperationException.class, view::peek);
            view.put("d");
            List<String> sink = new ArrayList<>();
            assertEquals(1, view.drainTo(sink));
            assertEquals(List.of("d"), sink);
        }
    }

    @Test
    void a_thread_blocked_in_get_burns_almost_no_CPU() throws Exception {
        try (Queue<String> q = new Queue<>()) {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            CompletableFuture<Long> cpuNanos = new CompletableFuture<>();
            Thread getter = new Thread(() -> {
                long before = threads.getCurrentThreadCpuTime();
                try {
                    q.get();
                } catch (InterruptedException e) {
                    cpuNanos.completeExceptionally(e);
                }
                cpuNanos.complete(threads.getCurrentThreadCpuTime() - before);
            });
            getter.start();
            Thread.sleep(1000);
            q.put("wake");
            long used = cpuNanos.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(used < TimeUnit.MILLISECONDS.toNanos(50), "a second blocked in get used " + used + " ns of CPU");
        }
    }

    /** A serialized and decoded copy of {@code q}: a handle to the same shared queue, as a child gets. */
    @SuppressWarnings("unchecked")
    private static <T> Queue<T> roundTrip(Queue<T> q) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(q);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            return (Queue<T>) in.readObject();
        }
    }

    @Test
    void decoding_a_handle_attaches_nothing_and_a_copy_used_after_the_creator_closed_throws() throws Exception {
        Queue<String> q = new Queue<>();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(q);
        }
        q.close(); // the creator's close removes the shared file
        Queue<?> copy;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Queue<?>) in.readObject(); // no side effect: the file is not touched
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, copy::getNowait);
        assertTrue(e.getMessage().contains("gone"), e.getMessage());
    }

    @Test
    void aQueueFileTruncatedWhileInUseGivesProcessErrorNotACrash() throws Exception {
        Queue<Integer> q = new Queue<>();
        try {
            q.put(1);
            assertEquals(1, PipeTest.truncateFilesNamedIn(q.toString()));
            ProcessError e = assertThrows(ProcessError.class, () -> q.put(2));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertThrows(ProcessError.class, () -> q.get(java.time.Duration.ZERO));
        } finally {
            q.close();
        }
    }
}
