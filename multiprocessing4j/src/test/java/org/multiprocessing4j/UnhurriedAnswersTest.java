package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker leaves the pool's relay asleep for the answers to a map's chunks while its next chunk is already
 * there (WorkerLoop's notes): those answers must still arrive while a long chunk after them runs, not when it ends.
 */
class UnhurriedAnswersTest extends ChildProcessTestBase {
    private static final SerializableFunction<Integer, Integer> SLEEP_MS = ms -> {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ms;
    };

    @Test
    void the_answers_of_short_chunks_arrive_while_the_long_chunk_after_them_runs() throws Exception {
        try (Pool pool = new Pool(1)) {
            pool.map(SLEEP_MS, List.of(0)); // the worker is up
            long before = pool.stats().tasksCompleted();
            // NOTE: one worker holds all six chunks at once (sent ahead), so each short answer is sent while the next
            // chunk waits in its pipe: the case where the worker does not wake the relay
            AsyncResult<List<Integer>> result = pool.mapAsync(SLEEP_MS, List.of(1, 1, 1, 1, 1, 60_000), 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (pool.stats().tasksCompleted() - before < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(5, pool.stats().tasksCompleted() - before, "short chunks answered while the long one runs");
            assertFalse(result.ready(), "the long chunk still runs");
            pool.terminate();
        }
    }

    @Test
    void a_map_of_many_short_chunks_returns_every_result_in_order() throws Exception {
        try (Pool pool = new Pool(2)) {
            List<Integer> input = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                input.add(i % 3);
            }
            assertEquals(input, pool.map(SLEEP_MS, input, 1));
            assertTrue(pool.stats().tasksCompleted() >= 300);
        }
    }
}
