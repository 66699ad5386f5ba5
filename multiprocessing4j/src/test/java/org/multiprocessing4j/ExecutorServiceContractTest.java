package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link ProcessPoolExecutor} against clauses of the {@link ExecutorService} and {@link java.util.concurrent.Future}
 * contracts that the behaviour tests do not pin down, with real worker JVMs (in the spirit of the JSR-166 TCK).
 */
class ExecutorServiceContractTest extends ChildProcessTestBase {

    @Test
    void submit_of_a_runnable_with_a_result_completes_with_that_very_object_serializable_or_not() throws Exception {
        ExecutorService ex = new ProcessPoolExecutor(1);
        try {
            Runnable quiet = (SerializableRunnable) () -> { };
            Object notSerializable = new Object();
            assertSame(notSerializable, ex.submit(quiet, notSerializable).get(HANG.toSeconds(), TimeUnit.SECONDS),
                    "ExecutorService.submit(task, result): get returns the given result");
            List<String> serializable = new ArrayList<>();
            assertSame(serializable, ex.submit(quiet, serializable).get(HANG.toSeconds(), TimeUnit.SECONDS),
                    "the result itself, not a copy that went through a worker");
            Runnable failing = (SerializableRunnable) () -> {
                throw new IllegalStateException("task failed");
            };
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> ex.submit(failing, notSerializable).get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause(), "a failure still wins over the result");
        } finally {
            ex.close();
        }
    }

    @Test
    void isTerminated_is_not_true_while_awaitTermination_still_waits_for_a_stage_of_a_future() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        CountDownLatch settled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean terminatedSeenFromTheStage = new AtomicBoolean();
        try {
            // NOTE: the stage itself shuts down and waits: awaitTermination leaves out the caller's own stage, so it
            // returns once the worker is gone and everything else ended; from then on only this stage runs
            CompletableFuture<Void> stage = ex.submit(() -> 1).thenRun(() -> {
                try {
                    ex.shutdown();
                    terminatedSeenFromTheStage.set(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
                    settled.countDown();
                    release.await(HANG.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(settled.await(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(terminatedSeenFromTheStage.get(), "the worker is gone: only the stage is left");
            assertFalse(ex.awaitTermination(0, TimeUnit.NANOSECONDS), "close and awaitTermination wait for the stage");
            assertFalse(ex.isTerminated(), "so the executor is not terminated: isTerminated must agree with awaitTermination");
            release.countDown();
            stage.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(ex.isTerminated());
        } finally {
            release.countDown();
            ex.shutdownNow();
            ex.close();
        }
    }

    /** A result whose decoding in this JVM (by the relay that reads the worker's answer) waits for {@link #RELEASE}. */
    static final class SlowToDecode implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static final CountDownLatch DECODING = new CountDownLatch(1);
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DECODING.countDown();
            try {
                RELEASE.await(HANG.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void timed_invokeAll_returns_only_done_futures_even_when_an_answer_is_on_its_way() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            assertEquals(1, ex.submit(() -> 1).get(HANG.toSeconds(), TimeUnit.SECONDS)); // the worker is up
            // NOTE: the task ends in its worker at once, but its answer stays "on its way" until RELEASE: cancel(true)
            // can then neither take it back nor stop it. The timeout only has to outlast one trivial task.
            List<Future<SlowToDecode>> all = ex.invokeAll(List.<SerializableCallable<SlowToDecode>>of(SlowToDecode::new),
                    5, TimeUnit.SECONDS);
            assumeTrue(SlowToDecode.DECODING.getCount() == 0, "the worker answered within the timeout");
            assertTrue(all.getFirst().isDone(), "ExecutorService.invokeAll: isDone() is true for each element of the returned list");
            assertTrue(all.getFirst().isCancelled(), "an unfinished task is cancelled when the timeout passes");
            SlowToDecode.RELEASE.countDown();
            assertEquals(2, ex.submit(() -> 2).get(HANG.toSeconds(), TimeUnit.SECONDS), "the executor serves on");
        } finally {
            SlowToDecode.RELEASE.countDown();
            ex.shutdownNow();
            ex.close();
        }
    }
}
