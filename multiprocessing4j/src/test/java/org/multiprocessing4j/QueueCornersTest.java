package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Queue corners: interrupts around an item larger than the shared memory (which travels in a file of its own); drainTo. */
class QueueCornersTest extends ChildProcessTestBase {
    /** Larger than the shared memory of a queue: travels as a spill file (QueueSpill). */
    private static final int LARGE = 2 * Queue.CAPACITY_BYTES;
    /** How long the interrupter pauses between two interrupts. */
    private static final long INTERRUPT_EVERY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private static byte[] large(int mark) {
        byte[] item = new byte[LARGE];
        Arrays.fill(item, (byte) mark);
        return item;
    }

    @Test
    void a_thread_with_its_interrupt_status_set_gets_a_large_item_whole_and_keeps_the_status() throws Exception {
        try (Queue<byte[]> q = new Queue<>()) {
            byte[] item = large(7);
            q.put(item);
            Thread.currentThread().interrupt();
            byte[] got;
            boolean stillInterrupted;
            try {
                got = q.get(); // NOTE: an item is there: nothing to wait for, so no InterruptedException (as for a small one)
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertArrayEquals(item, got);
            assertTrue(stillInterrupted, "the interrupt status is kept for the next wait");
            assertTrue(q.empty());
        }
    }

    @Test
    void a_thread_with_its_interrupt_status_set_puts_a_large_item_and_keeps_the_status() throws Exception {
        try (Queue<byte[]> q = new Queue<>(); SimpleQueue<byte[]> simple = new SimpleQueue<>()) {
            byte[] item = large(3);
            Thread.currentThread().interrupt();
            boolean stillInterrupted;
            try {
                q.put(item); // NOTE: an unbounded queue never waits: nothing to interrupt
                simple.put(item); // an item over half the shared memory: a file too; an empty queue has room
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertTrue(stillInterrupted, "the interrupt status is kept for the next wait");
            assertArrayEquals(item, q.get(HANG));
            assertArrayEquals(item, simple.get());
        }
    }

    @Test
    void a_getter_interrupted_over_and_over_loses_none_of_the_large_items_a_child_put() throws Exception {
        int items = 8;
        try (Queue<byte[]> q = new Queue<>()) {
            Process producer = new Process(checked(() -> {
                for (int i = 0; i < items; i++) {
                    q.put(large(i));
                }
            }));
            producer.start();
            CompletableFuture<Integer> received = new CompletableFuture<>();
            Thread getter = new Thread(() -> {
                int n = 0;
                try {
                    while (n < items) {
                        byte[] got;
                        try {
                            got = q.get(HANG);
                        } catch (InterruptedException e) {
                            continue; // NOTE: nothing was taken: ask again
                        }
                        assertArrayEquals(large(n), got, "item " + n);
                        n++;
                    }
                    received.complete(n);
                } catch (Throwable t) {
                    received.completeExceptionally(t);
                }
            }, "interrupted getter");
            getter.start();
            while (!received.isDone()) {
                getter.interrupt();
                LockSupport.parkNanos(INTERRUPT_EVERY_NANOS);
            }
            assertEquals(items, received.get(HANG.toSeconds(), TimeUnit.SECONDS));
            getter.join(HANG.toMillis());
            assertEquals(0, joined(producer));
        }
    }

    /**
     * A sink that puts into the same queue another way (as a manager's second proxy of it would) kept the queue
     * from ever emptying: {@code drainTo} looped for good. It now takes at most the items there at its start, as
     * the JDK's queues do. The sink gives up after 100 items so that the old code fails instead of hanging.
     */
    @Test
    void drainTo_a_sink_that_puts_back_into_the_same_queue_ends() throws Exception {
        try (Queue<Integer> q = new Queue<>()) {
            for (int i = 0; i < 5; i++) {
                q.put(i);
            }
            java.util.List<Integer> seen = new java.util.ArrayList<>();
            java.util.Collection<Integer> forwarding = new java.util.AbstractCollection<>() {
                @Override
                public boolean add(Integer item) {
                    if (seen.size() >= 100) {
                        throw new IllegalStateException("drainTo took 100 items from a queue of 5");
                    }
                    seen.add(item);
                    q.putNowait(item);
                    return true;
                }

                @Override
                public java.util.Iterator<Integer> iterator() {
                    return seen.iterator();
                }

                @Override
                public int size() {
                    return seen.size();
                }
            };
            assertEquals(5, q.asBlockingQueue().drainTo(forwarding));
            assertEquals(java.util.List.of(0, 1, 2, 3, 4), seen);
            assertEquals(5, q.qsize());
        }
    }
}
