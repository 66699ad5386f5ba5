package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Items a pool task puts on a queue are never lost when its worker ends normally (the pool closes, or the
 * worker retires under maxTasksPerChild) before a slow reader took them: the worker's end waits for them, as a
 * Process's exit does and CPython's worker's finalizers do. Before, the pool killed such a worker 2 s after its
 * pipe ended, and every item still in its feeder was gone (104 of 300 arrived).
 */
class PoolQueueItemsTest extends ChildProcessTestBase {
    private static final int ITEMS = 300;

    /** 3 MB of items: more than the queue's 1 MiB of shared memory, so most wait in the worker's feeder. */
    static int putMany(Queue<byte[]> q) throws InterruptedException {
        for (int i = 0; i < ITEMS; i++) {
            q.put(new byte[10_000]);
        }
        return ITEMS;
    }

    /** Takes items until {@link #ITEMS} came or none came for 20 s (a lost item then shows as a lower count). */
    static int drain(Queue<byte[]> q) throws InterruptedException {
        int got = 0;
        try {
            while (got < ITEMS) {
                q.get(Duration.ofSeconds(20));
                got++;
            }
            q.getNowait(); // NOTE: one more would be an item too many
            return got + 1;
        } catch (QueueEmptyException e) {
            return got;
        }
    }

    @Test
    void a_retiring_worker_hands_over_every_item_to_a_reader_that_comes_late() throws Exception {
        try (Queue<byte[]> q = new Queue<>(); Pool pool = Pool.builder().processes(1).maxTasksPerChild(1).build()) {
            assertEquals(ITEMS, pool.apply(() -> putMany(q)));
            Thread.sleep(4_000); // longer than the 2 s the pool gives a worker that ended its pipe
            assertEquals(ITEMS, drain(q));
        }
    }

    @Test
    void close_waits_until_a_reader_took_every_item_the_tasks_put() throws Exception {
        try (Queue<byte[]> q = new Queue<>()) {
            Pool pool = new Pool(1);
            assertEquals(ITEMS, pool.apply(() -> putMany(q)));
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(3_000); // starts after close() began
                    return drain(q);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            pool.close();
            assertEquals(ITEMS, reader.get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
