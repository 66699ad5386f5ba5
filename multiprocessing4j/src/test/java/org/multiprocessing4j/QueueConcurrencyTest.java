package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.multiprocessing4j.QueueTest.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many processes on one queue: every item exactly once and in order per producer, and a process killed
 * while holding a side's lock does not block the others.
 */
class QueueConcurrencyTest extends ChildProcessTestBase {
    private static final int PRODUCERS = 4;
    private static final int CONSUMERS = 4;
    /** Items a consumer reports back per message (keeps each report far below the queue's bytes). */
    private static final int REPORT_CHUNK = 10_000;
    /** Bound for "the lock is recovered promptly": a few futex slices, with room for a loaded machine. */
    private static final Duration RECOVERY = Duration.ofSeconds(10);

    @Test
    void four_producer_and_four_consumer_processes_move_every_item_exactly_once_in_order_per_producer() throws Exception {
        exactlyOnce(2_000);
    }

    /** The size the issue names; the default run uses the small one above. */
    @Test
    @Tag("stress")
    void four_by_four_processes_move_fifty_thousand_items_each_exactly_once() throws Exception {
        exactlyOnce(50_000);
    }

    private void exactlyOnce(int perProducer) throws Exception {
        try (Queue<Integer> q = new Queue<>(); Queue<int[]> reports = new Queue<>()) {
            List<Process> producers = new ArrayList<>();
            for (int k = 0; k < PRODUCERS; k++) {
                int p = k;
                producers.add(new Process(checked(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        q.put(p * 1_000_000 + i);
                    }
                })));
            }
            List<Process> consumers = new ArrayList<>();
            for (int k = 0; k < CONSUMERS; k++) {
                consumers.add(new Process(checked(() -> {
                    int[] chunk = new int[REPORT_CHUNK];
                    int n = 0;
                    for (int v; (v = q.get()) >= 0;) {
                        chunk[n++] = v;
                        if (n == REPORT_CHUNK) {
                            reports.put(chunk);
                            n = 0;
                        }
                    }
                    reports.put(Arrays.copyOf(chunk, n));
                    reports.put(new int[] {-1}); // this consumer is done
                })));
            }
            consumers.forEach(Process::start);
            producers.forEach(Process::start);
            for (Process p : producers) {
                p.join(HANG);
                assertEquals(0, p.exitCode(), "producer " + p);
            }
            for (int c = 0; c < CONSUMERS; c++) {
                q.put(-1);
            }
            boolean[][] seen = new boolean[PRODUCERS][perProducer];
            int done = 0;
            int received = 0;
            while (done < CONSUMERS) {
                int[] report = reports.get(HANG);
                if (report.length == 1 && report[0] == -1) {
                    done++;
                    continue;
                }
                for (int v : report) {
                    int p = v / 1_000_000;
                    int i = v % 1_000_000;
                    if (seen[p][i]) {
                        fail("item " + v + " received twice");
                    }
                    seen[p][i] = true;
                    received++;
                }
                checkOrderPerProducer(report);
            }
            for (Process c : consumers) {
                c.join(HANG);
                assertEquals(0, c.exitCode(), "consumer " + c);
            }
            assertEquals(PRODUCERS * perProducer, received, "items received");
            assertTrue(q.empty());
        }
    }

    /** Within one consumer's stream (a report is a contiguous part of it), each producer's items ascend. */
    private static void checkOrderPerProducer(int[] report) {
        int[] last = new int[PRODUCERS];
        Arrays.fill(last, -1);
        for (int v : report) {
            int p = v / 1_000_000;
            int i = v % 1_000_000;
            if (i <= last[p]) {
                fail("producer " + p + "'s item " + i + " came after its item " + last[p]);
            }
            last[p] = i;
        }
    }

    @Test
    void a_consumer_killed_while_holding_the_consumer_lock_does_not_block_the_others() throws Exception {
        try (Queue<Integer> q = new Queue<>()) {
            Process blocked = new Process(checked(q::get)); // waits for data holding the consumer lock
            blocked.start();
            int pid = (int) blocked.pid().orElseThrow();
            awaitOwner(() -> q.shared().consumerLockOwner(), pid);
            blocked.kill();
            blocked.join(HANG);
            q.put(7);
            long start = System.nanoTime();
            assertEquals(7, q.get(RECOVERY));
            assertTrue(System.nanoTime() - start < RECOVERY.toNanos());
            assertEquals(0, q.shared().consumerLockOwner());
        }
    }

    @Test
    void a_producer_killed_while_holding_the_producer_lock_does_not_block_the_others() throws Exception {
        try (Queue<Integer> q = new Queue<>(1)) {
            Process blocked = new Process(checked(() -> {
                q.put(1);
                q.put(2); // waits for room holding the producer lock
            }));
            blocked.start();
            int pid = (int) blocked.pid().orElseThrow();
            awaitOwner(() -> q.shared().producerLockOwner(), pid);
            blocked.kill();
            blocked.join(HANG);
            assertEquals(1, q.get(HANG));
            q.put(3, RECOVERY);
            assertEquals(3, q.get(HANG));
            assertTrue(q.empty());
        }
    }

    @Test
    void a_producer_killed_at_a_random_point_of_its_puts_leaves_no_torn_item_and_no_hang() throws Exception {
        try (Queue<byte[]> q = new Queue<>()) {
            Process producer = new Process(checked(() -> {
                for (int n = 0; ; n++) {
                    byte[] item = new byte[60_000 + n % 7 * 1_000]; // odd sizes: records wrap and pad
                    Arrays.fill(item, (byte) n);
                    q.put(item);
                }
            }));
            producer.start();
            int received = 0;
            int killAfter = 5 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20);
            while (producer.isAlive() || !q.empty()) {
                if (received == killAfter && producer.isAlive()) {
                    producer.kill(); // mid-put, most likely: it spends its time encoding and copying
                }
                byte[] item;
                try {
                    item = q.get(Duration.ofMillis(20));
                } catch (QueueEmptyException notYet) {
                    continue;
                }
                assertEquals(60_000 + received % 7 * 1_000, item.length, "item " + received + "'s length");
                for (byte b : item) {
                    if (b != (byte) received) {
                        fail("item " + received + " is torn: holds byte " + b);
                    }
                }
                received++;
            }
            producer.join(HANG);
            assertTrue(received >= killAfter, "received " + received + " items, the kill came after " + killAfter);
            q.put(new byte[] {42}, RECOVERY); // the producer lock is recovered if it died holding it
            assertEquals(42, q.get(HANG)[0]);
        }
    }

    private static void awaitOwner(IntSupplier owner, int pid) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (owner.getAsInt() != pid) {
            if (System.nanoTime() > deadline) {
                fail("pid " + pid + " never took the lock (owner " + owner.getAsInt() + ")");
            }
            Thread.sleep(10);
        }
        Thread.sleep(QueueTest.BLOCKED.toMillis()); // let it fall asleep in the futex
    }
}
