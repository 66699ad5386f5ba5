package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cancel} of a ProcessPoolExecutor future from a thread whose interrupt flag is set. j.u.c's
 * {@code Future.cancel} has no interrupt semantics: the flag neither makes it fail nor is cleared by it.
 * The case that matters is a task whose message the pool is still writing into a worker's pipe, where
 * cancel waits for that send to end.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecutorCancelInterruptedTest extends ChildProcessTestBase {

    @Test
    void cancel_true_with_the_interrupt_flag_set_stops_a_task_whose_message_is_being_sent() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Long> second = ExecutorCancelRaceTest.secondWhileItIsSent(ex);
            long cancelAt = System.currentTimeMillis();
            Thread.currentThread().interrupt();
            boolean cancelled;
            boolean flagKept;
            try {
                cancelled = second.cancel(true);
            } finally {
                flagKept = Thread.interrupted();
            }
            assertTrue(flagKept, "cancel cleared the caller's interrupt flag");
            ExecutorCancelRaceTest.assertNeverRan(second, cancelAt, "cancel(true) with the interrupt flag set returned " + cancelled);
            assertTrue(cancelled);
        }
    }
}
