package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code cancel(true)} of a ProcessPoolExecutor task while the pool is still writing its message into a
 * worker's pipe (a relay refilling its worker after an answer): the task is not started yet, or starts as
 * its message arrives; either way {@code cancel(true)} must stop it (take it back, or kill its worker), as
 * the class doc promises.
 */
class ExecutorCancelRaceTest extends ChildProcessTestBase {

    /** The time the task started (ms since the epoch), returned after 2 s; reads its big argument. */
    static long startedAt(byte[] big) throws InterruptedException {
        long start = System.currentTimeMillis();
        Thread.sleep(2000);
        return start + (big.length == 0 ? 1 : 0);
    }

    /** Whether a relay thread of the executor is in the Dispatcher's send (writing a task into a worker's pipe). */
    static boolean relaySending(String executorName) {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith(executorName + "-relay-")) {
                for (StackTraceElement f : e.getValue()) {
                    if (f.getClassName().endsWith("Dispatcher") && f.getMethodName().startsWith("send")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Submits a 3 s task, then a task of 128 MiB (too large to be sent ahead: it waits in the pool until the
     * worker answered the first, then the relay sends it), and returns the second once the relay is sending it.
     */
    static CompletableFuture<Long> secondWhileItIsSent(ProcessPoolExecutor ex) throws Exception {
        ex.submit(() -> 1).get(60, TimeUnit.SECONDS); // the worker is up
        String name = ex.toString().substring(0, ex.toString().indexOf('['));
        CompletableFuture<Integer> first = ex.submit(() -> ProcessPoolExecutorTest.sleepThen(1, 3000));
        byte[] big = new byte[128 << 20];
        Arrays.fill(big, (byte) 1);
        CompletableFuture<Long> second = ex.submit(() -> startedAt(big));
        int sampled = 0;
        while (!relaySending(name)) {
            sampled++;
            if (first.isDone()) {
                // NOTE: a missed window (a loaded machine) proves nothing either way: skipped, not failed
                Assumptions.abort("the relay was never seen sending the second task; sampled " + sampled);
            }
        }
        return second;
    }

    /** Fails unless {@code task} ends cancelled (neither queued nor running on after the cancel). */
    static void assertNeverRan(CompletableFuture<Long> task, long since, String what) throws Exception {
        try {
            long started = task.get(60, TimeUnit.SECONDS);
            fail(what + ", and the task was neither taken back nor stopped: it ran to completion (its body started "
                    + (started - since) + " ms after the cancel)");
        } catch (CancellationException expected) {
            assertTrue(task.isCancelled());
        }
    }

    @Test
    void cancel_true_of_a_task_whose_message_is_being_sent_to_an_idle_worker_cancels_it() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Long> second = secondWhileItIsSent(ex);
            long cancelAt = System.currentTimeMillis();
            boolean cancelled = second.cancel(true);
            assertNeverRan(second, cancelAt, "cancel(true) returned " + cancelled);
            assertTrue(cancelled);
        }
    }
}
