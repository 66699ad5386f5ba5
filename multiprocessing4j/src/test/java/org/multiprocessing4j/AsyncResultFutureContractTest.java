package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AsyncResult#toCompletableFuture()} held against the {@link Future} it stands for: the returned
 * {@link CompletableFuture} ends as the result does (cancelled when the result is, failed with the task's
 * exception itself when it failed), with real worker JVMs.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AsyncResultFutureContractTest extends ChildProcessTestBase {

    @Test
    void toCompletableFuture_of_a_result_cancelled_by_terminate_is_cancelled_too() throws Exception {
        try (Event gate = new Event()) {
            Pool pool = new Pool(1);
            AsyncResult<Integer> held;
            CompletableFuture<Integer> before;
            try {
                held = pool.applyAsync(() -> PoolCornersTest.passAfter(gate, 1));
                before = held.toCompletableFuture();
            } finally {
                pool.terminate();
            }
            CompletableFuture<Integer> after = held.toCompletableFuture();
            assertTrue(held.isCancelled());
            assertEquals(Future.State.CANCELLED, held.state());
            assertThrows(CancellationException.class, held::get);
            for (CompletableFuture<Integer> f : java.util.List.of(before, after)) {
                assertTrue(f.isDone());
                assertTrue(f.isCancelled(), "the result is cancelled, so is its CompletableFuture: " + f);
                assertEquals(Future.State.CANCELLED, f.state());
                assertThrows(CancellationException.class, () -> f.get(HANG.toSeconds(), TimeUnit.SECONDS));
                assertThrows(CancellationException.class, f::join);
            }
        }
    }

    @Test
    void toCompletableFuture_of_a_failed_result_hands_its_stages_the_tasks_exception_unwrapped() throws Exception {
        try (Pool pool = new Pool(1)) {
            AsyncResult<Integer> bad = pool.applyAsync(() -> PoolCornersTest.failOn(1, 1));
            CompletableFuture<Throwable> seen = bad.toCompletableFuture().handle((v, e) -> e);
            Throwable e = seen.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, e, "the task's exception itself, not wrapped: " + e);
            ExecutionException viaResult = assertThrows(ExecutionException.class, bad::get);
            assertSame(viaResult.getCause(), e, "the same exception as the result's");
            assertFalse(bad.toCompletableFuture().isCancelled());
        }
    }
}
