package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** shutdownNow while the pool writes a queued task's message into a worker's pipe. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecutorShutdownNowWhileSendingTest extends ChildProcessTestBase {

    @Test
    void shutdownNow_lists_a_task_whose_message_was_still_being_sent() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        CompletableFuture<Long> second;
        List<Runnable> never;
        try {
            second = ExecutorCancelRaceTest.secondWhileItIsSent(ex);
            never = ex.shutdownNow();
        } finally {
            ex.shutdownNow();
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
        }
        assertTrue(second.isCancelled());
        assertEquals(1, never.size(), "the task being sent was cancelled but not returned: " + never);
    }
}
