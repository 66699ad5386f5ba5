package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How results reach the caller: stages of a result's future never run on the threads that read the workers'
 * answers (so they may wait for the pool or close it), and an answer that cannot be decoded here fails its
 * task instead of leaving it unsettled. Real worker JVMs.
 */
class PoolResultDeliveryTest extends ChildProcessTestBase {

    /** A value whose class refuses to initialize in the pool's JVM (the root) and only there. */
    public static final class RefusedInParent implements Serializable {
        private static final long serialVersionUID = 1L;

        static {
            if (Multiprocessing.parentProcess().isEmpty()) {
                throw new IllegalStateException("RefusedInParent does not initialize in the parent");
            }
        }
    }

    /** An exception whose class refuses to initialize in the pool's JVM (the root) and only there. */
    public static final class RefusedInParentException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        static {
            if (Multiprocessing.parentProcess().isEmpty()) {
                throw new IllegalStateException("RefusedInParentException does not initialize in the parent");
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void every_callback_has_run_when_close_returns() throws Exception {
        List<Integer> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Pool pool = new Pool(2);
        try {
            for (int i = 0; i < 10; i++) {
                int k = i;
                pool.applyAsync(() -> k, r -> {
                    sleepQuietly(50);
                    got.add(r);
                });
            }
            pool.close(); // Python's close() + join(): join() joins the result handler, which runs the callbacks
            assertEquals(10, got.size(), "callbacks run when close() returned: " + got);
        } finally {
            pool.terminate();
        }
    }

    @Test
    void a_stage_of_allOf_over_pool_results_may_call_the_pool() throws Exception {
        try (Pool pool = new Pool(1)) {
            CompletableFuture<Integer> a = pool.applyAsync(() -> {
                Thread.sleep(200);
                return 1;
            }).toCompletableFuture();
            CompletableFuture<Object> out = new CompletableFuture<>();
            CompletableFuture.allOf(a).thenRun(() -> {
                try {
                    out.complete(pool.apply(() -> 2));
                } catch (Throwable t) {
                    out.complete(t);
                }
            });
            assertEquals(2, await(out), "the only worker's relay ran the stage, which waited for that worker's answer");
        }
    }

    @Test
    void a_plain_futures_thenCombine_with_an_executor_future_may_close_the_executor() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            CompletableFuture<Integer> plain = CompletableFuture.completedFuture(10);
            CompletableFuture<Integer> submitted = ex.submit(() -> {
                Thread.sleep(200);
                return 1;
            });
            CompletableFuture<String> out = new CompletableFuture<>();
            plain.thenCombine(submitted, (x, y) -> {
                ex.close();
                out.complete("closed after " + (x + y));
                return 0;
            });
            assertEquals("closed after 11", await(out));
        } finally {
            ex.shutdownNow();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void a_stage_of_a_pool_result_may_call_the_pool() throws Exception {
        try (Pool pool = new Pool(1)) {
            CompletableFuture<Integer> chained = pool.applyAsync(() -> 1).toCompletableFuture().thenApply(v -> {
                try {
                    return pool.apply(() -> v + 1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(2, await(chained), "a stage that waits for the same pool's only worker");
        }
    }

    @Test
    void a_stage_of_a_pool_result_may_close_the_pool() throws Exception {
        Pool pool = new Pool(1);
        try {
            CompletableFuture<Void> closed = pool.applyAsync(() -> 1).toCompletableFuture().thenRun(pool::close);
            await(closed);
            assertThrows(IllegalStateException.class, () -> pool.apply(() -> 3), "closed by the stage");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void a_stage_of_an_executor_future_may_submit_and_wait() throws Exception {
        try (ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(1).build()) {
            CompletableFuture<Integer> chained = ex.submit(() -> 1).thenApply(v -> ex.submit(() -> v + 1).join());
            assertEquals(2, await(chained));
        }
    }

    @Test
    void a_stage_of_an_executor_future_may_close_the_executor() throws Exception {
        ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(1).build();
        try {
            await(ex.submit(() -> 1).thenRun(ex::close));
            assertTrue(ex.isShutdown());
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void close_waits_for_the_stages_its_futures_started() throws Exception {
        ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
        try (ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(2).build()) {
            for (int i = 0; i < 4; i++) {
                int n = i;
                ex.submit(() -> n).thenAccept(v -> {
                    try {
                        Thread.sleep(200); // NOTE: still running when close() starts waiting
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add(v);
                });
            }
        }
        assertEquals(4, seen.size(), "every stage ran before close() returned: " + seen);
    }

    @Test
    void an_answer_that_cannot_be_decoded_here_fails_its_task_and_the_pool_serves_on() throws Exception {
        try (Pool pool = new Pool(1)) {
            AsyncResult<Object> result = pool.applyAsync(() -> new RefusedInParent());
            ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(HANG));
            assertInstanceOf(ProcessError.class, e.getCause(), "the result's class failed to initialize here");

            AsyncResult<Object> raised = pool.applyAsync(() -> {
                throw new RefusedInParentException();
            });
            ExecutionException r = assertThrows(ExecutionException.class, () -> raised.get(HANG));
            assertInstanceOf(ProcessError.class, r.getCause(), "the exception's class failed to initialize here");

            AsyncResult<List<Object>> mapped = pool.mapAsync(x -> x == 2 ? new RefusedInParent() : x, List.of(1, 2, 3), 1);
            assertThrows(ExecutionException.class, () -> mapped.get(HANG));

            assertEquals(List.of(2, 4, 6), pool.map(x -> x * 2, List.of(1, 2, 3)), "the pool serves on");
        }
    }
}
