package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker the pool kills (to cancel a running task) takes no new task while it dies: the next task goes to
 * the idle worker at once instead of waiting for the killed one's replacement to boot.
 */
class KilledWorkerDispatchTest extends ChildProcessTestBase {
    @Test
    void a_task_submitted_right_after_cancel_true_runs_on_the_idle_worker() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            Set<Long> workers = new HashSet<>();
            while (workers.size() < 2) { // both workers up, and their pids known
                CompletableFuture<Long> a = ex.submit(() -> {
                    Thread.sleep(200);
                    return ProcessHandle.current().pid();
                });
                CompletableFuture<Long> b = ex.submit(() -> {
                    Thread.sleep(200);
                    return ProcessHandle.current().pid();
                });
                workers.add(a.get(60, TimeUnit.SECONDS));
                workers.add(b.get(60, TimeUnit.SECONDS));
            }
            Pipe pipe = Pipe.open(false);
            try (pipe) {
                Connection reader = pipe.left();
                Connection writer = pipe.right();
                CompletableFuture<Integer> runaway = ex.submit(() -> {
                    writer.send(ProcessHandle.current().pid());
                    Thread.sleep(60_000);
                    return 0;
                });
                long runawayPid = ((Number) reader.recv()).longValue();
                assertTrue(runaway.cancel(true));
                CompletableFuture<Long> quick = ex.submit(() -> ProcessHandle.current().pid());
                // NOTE: given to the dying worker, quick came back to the queue when it died, after slow had taken the
                // surviving one: it then waited for a replacement JVM
                CompletableFuture<Long> slow = ex.submit(() -> {
                    Thread.sleep(60_000);
                    return 0L;
                });
                long quickPid = quick.get(60, TimeUnit.SECONDS);
                slow.cancel(true);
                assertNotEquals(runawayPid, quickPid, "given to the killed worker");
                workers.remove(runawayPid);
                assertEquals(workers, Set.of(quickPid), "ran on the surviving worker, not on a replacement");
            }
        }
    }
}
