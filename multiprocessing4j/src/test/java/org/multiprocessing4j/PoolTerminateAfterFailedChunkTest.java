package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code mapAsync} result is ready only once every chunk has finished (CPython's MapResult). A chunk that
 * failed while others still run does not make it ready; {@link Pool#terminate()} then ends it as any result
 * not yet ready: {@code get} throws {@link CancellationException} (AsyncResult's and terminate's Javadoc),
 * and no callback runs (cancellation by terminate runs none).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PoolTerminateAfterFailedChunkTest extends ChildProcessTestBase {

    /** Item 0 fails at once; any other item sleeps a minute. */
    static int failFastElseHang(int x) {
        if (x == 0) {
            throw new ArithmeticException("item 0");
        }
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return x;
    }

    @Test
    void a_map_result_with_a_failed_chunk_and_an_unfinished_one_is_cancelled_by_terminate() throws Exception {
        AtomicInteger errorCallbacks = new AtomicInteger();
        Pool pool = Pool.builder().processes(2).build();
        AsyncResult<List<Integer>> result;
        try {
            result = pool.mapAsync(PoolTerminateAfterFailedChunkTest::failFastElseHang, List.of(0, 1), 1,
                    null, e -> errorCallbacks.incrementAndGet());
            long deadline = System.nanoTime() + HANG.toNanos();
            while (pool.stats().tasksFailed() < 1 || pool.stats().tasksRunning() < 1) {
                assertTrue(System.nanoTime() < deadline, "chunk 0 never failed while chunk 1 ran: " + pool.stats());
                Thread.sleep(5);
            }
            assertTrue(!result.ready(), "ready before every chunk finished");
        } finally {
            pool.terminate();
        }
        CancellationException e = assertThrows(CancellationException.class, () -> result.get(HANG));
        assertTrue(result.isCancelled(), "get threw " + e + " but isCancelled() is false");
        assertEquals(0, errorCallbacks.get(), "an error callback ran for a result cancelled by terminate");
    }
}
