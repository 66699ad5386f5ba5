package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code cancel(true)} of an executor task that has already finished in its worker, but whose answer the
 * pool has not read yet, must not kill the worker while it runs another, unrelated task: that task would
 * fail with {@link WorkerDiedException} though nothing was wrong with it and nobody cancelled it.
 */
class ExecutorCancelCollateralTest extends ChildProcessTestBase {

    /** A result that takes 4 s to decode in the JVM {@code slowIn} (the pool's relay thread decodes answers). */
    static final class SlowToRead implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long slowIn;

        SlowToRead(long slowIn) {
            this.slowIn = slowIn;
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (ProcessHandle.current().pid() == slowIn) {
                try {
                    Thread.sleep(4000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void cancel_true_of_a_task_already_done_in_its_worker_does_not_kill_the_next_task_there() throws Exception {
        try (Event bStarted = new Event(); ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            assertEquals(1, ex.submit(() -> 1).get(60, TimeUnit.SECONDS)); // the worker is up
            long parent = ProcessHandle.current().pid();
            // the relay decodes p's answer for 4 s; meanwhile the worker ends a (its answer waits in the pipe) and starts b
            CompletableFuture<SlowToRead> p = ex.submit(() -> new SlowToRead(parent));
            CompletableFuture<Integer> a = ex.submit(() -> ProcessPoolExecutorTest.sleepThen(1, 100));
            CompletableFuture<Integer> b = ex.submit(() -> {
                bStarted.set();
                return ProcessPoolExecutorTest.sleepThen(2, 3000);
            });
            assertTrue(bStarted.await(HANG), "b started");
            // NOTE: a missed window (a loaded machine) proves nothing either way: skipped, not failed
            Assumptions.assumeFalse(p.isDone(), "the relay is still decoding p's answer (else the test proves nothing)");
            boolean cancelled = a.cancel(true); // a has ended in the worker: nothing of it runs any more
            try {
                assertEquals(2, b.get(60, TimeUnit.SECONDS), "b, which nobody cancelled, completes");
            } catch (ExecutionException e) {
                throw new AssertionError("cancel(true) of a finished task (returned " + cancelled + ") killed the worker running"
                        + " another task, which failed with " + e.getCause(), e);
            }
            p.get(60, TimeUnit.SECONDS);
        }
    }
}
