package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
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

    /** The size issue #3 names: 4 producer and 4 consumer JVMs, 50,000 items per producer (about 7 s here). */
    @Test
    void four_by_four_processes_move_fifty_thousand_items_each_exactly_once_in_order_per_producer() throws Exception {
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
                int c = k;
                consumers.add(new Process(checked(() -> {
                    int[] chunk = new int[1 + REPORT_CHUNK];
                    chunk[0] = c; // NOTE: each report names its consumer, so order is checked across its reports
                    int n = 1;
                    for (int v; (v = q.get()) >= 0;) {
                        chunk[n++] = v;
                        if (n == chunk.length) {
                            reports.put(chunk);
                            n = 1;
                        }
                    }
                    reports.put(Arrays.copyOf(chunk, n));
                    reports.put(new int[] {c, -1}); // this consumer is done
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
            int[][] lastSeen = new int[CONSUMERS][PRODUCERS]; // per consumer, the last item of each producer
            for (int[] l : lastSeen) {
                Arrays.fill(l, -1);
            }
            int done = 0;
            int received = 0;
            while (done < CONSUMERS) {
                int[] report = reports.get(HANG);
                if (report.length == 2 && report[1] == -1) {
                    done++;
                    continue;
                }
                checkOrderPerProducer(report, lastSeen[report[0]]);
                for (int r = 1; r < report.length; r++) {
                    int v = report[r];
                    int p = v / 1_000_000;
                    int i = v % 1_000_000;
                    if (seen[p][i]) {
                        fail("item " + v + " received twice");
                    }
                    seen[p][i] = true;
                    received++;
                }
            }
            for (Process c : consumers) {
                c.join(HANG);
                assertEquals(0, c.exitCode(), "consumer " + c);
            }
            assertEquals(PRODUCERS * perProducer, received, "items received");
            assertTrue(q.empty());
        }
    }

    /**
     * Within one consumer's whole stream (its reports arrive in the order it sent them), each producer's items
     * ascend. {@code last} holds, per producer, the last item this consumer got; it is updated.
     */
    private static void checkOrderPerProducer(int[] report, int[] last) {
        for (int r = 1; r < report.length; r++) {
            int v = report[r];
            int p = v / 1_000_000;
            int i = v % 1_000_000;
            if (i <= last[p]) {
                fail("consumer " + report[0] + " got producer " + p + "'s item " + i + " after its item " + last[p]);
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
        // NOTE: a queue that does not buffer (SimpleQueue's kind), where a put waits for room holding the
        // producer lock; a Queue's producers never wait holding it (they wait for maxsize without it)
        try (Queue<byte[]> q = new Queue<>(0, 1024, null, false)) {
            Process blocked = new Process(checked(() -> {
                // NOTE: under half the ring each (a SimpleQueue's put spills larger ones): three fill it
                for (int i = 0; i < 3; i++) {
                    q.put(new byte[300]);
                }
                q.put(new byte[301]); // waits for room holding the producer lock
            }));
            blocked.start();
            int pid = (int) blocked.pid().orElseThrow();
            awaitOwner(() -> q.shared().producerLockOwner(), pid);
            blocked.kill();
            blocked.join(HANG);
            for (int i = 0; i < 3; i++) {
                assertEquals(300, q.get(HANG).length);
            }
            q.put(new byte[3], RECOVERY);
            assertEquals(3, q.get(HANG).length);
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
