package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.internal.shm.ShmNames;

/**
 * How a {@link ProcessPoolExecutor} meets the end of {@code main} (CPython's rule: the program does not
 * exit until every pending future is done), each in a parent JVM of its own ({@link ExecutorParentMain}).
 */
class ExecutorExitTest extends ChildProcessTestBase {

    @Test
    void a_task_pending_when_main_returns_after_shutdown_still_runs_before_the_jvm_exits(@TempDir Path base) throws Exception {
        Path file = base.resolve("written");
        assertEquals(0, runParent(base, "shutdown", file));
        assertTrue(Files.exists(file), "the task queued before shutdown() ran before the JVM exited");
        assertEquals("done", Files.readString(file));
    }

    @Test
    void a_task_pending_when_main_returns_without_shutdown_still_runs_before_the_jvm_exits(@TempDir Path base) throws Exception {
        Path file = base.resolve("written");
        assertEquals(0, runParent(base, "pending", file));
        assertTrue(Files.exists(file), "the pending task ran before the JVM exited");
        assertEquals("done", Files.readString(file));
    }

    @Test
    void a_stage_of_a_future_still_runs_before_the_jvm_exits(@TempDir Path base) throws Exception {
        Path file = base.resolve("written");
        assertEquals(0, runParent(base, "stage", file));
        assertTrue(Files.exists(file), "the stage (on a thread of the executor's own) ran before the JVM exited");
        assertEquals("done", Files.readString(file));
    }

    @Test
    void an_idle_executor_never_shut_down_does_not_keep_the_jvm_alive(@TempDir Path base) throws Exception {
        assertEquals(0, runParent(base, "idle", base.resolve("unused")));
    }

    @Test
    void system_exit_with_a_task_pending_exits_at_once_and_ends_the_workers(@TempDir Path base) throws Exception {
        Path file = base.resolve("written");
        assertEquals(7, runParent(base, "exit", file));
        assertFalse(Files.exists(file), "the pending task was lost, as with any executor at System.exit");
    }

    @Test
    void the_keepalive_thread_lives_while_a_task_is_unfinished_and_ends_with_shutdownNow() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            String keeper = ex.toString().substring(0, ex.toString().indexOf('[')) + "-keepalive";
            CompletableFuture<Integer> first = ex.submit(() -> ProcessPoolExecutorTest.sleepThen(1, 300));
            assertTrue(keeperAlive(keeper), "a non-daemon thread keeps the JVM while a task is unfinished");
            assertEquals(1, first.get(HANG.toSeconds(), TimeUnit.SECONDS));
            awaitNoKeeper(keeper, "idle: the thread ends after the last outcome");
            CompletableFuture<Integer> endless = ex.submit(() -> ProcessPoolExecutorTest.sleepThen(2, 3_600_000));
            assertTrue(keeperAlive(keeper));
            ex.shutdownNow();
            assertTrue(endless.isCancelled());
            awaitNoKeeper(keeper, "shutdownNow: nothing is left to wait for");
        } finally {
            ex.shutdownNow();
            assertTrue(ex.awaitTermination(HANG));
        }
    }

    private static boolean keeperAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && !t.isDaemon() && t.isAlive());
    }

    private static void awaitNoKeeper(String name, String why) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (keeperAlive(name) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(keeperAlive(name), why);
    }

    /**
     * Runs {@link ExecutorParentMain} in {@code mode}; returns its exit code once it and its worker have
     * ended, each within {@link #HANG}: a parent still running then fails the test.
     */
    private static int runParent(Path base, String mode, Path file) throws Exception {
        java.lang.Process parent = LaunchedJvm.start(base, ExecutorParentMain.class, mode, file.toString());
        long worker = -1;
        try {
            String line = LaunchedJvm.lineStartingWith(parent, "pid ");
            if (line == null) {
                fail("the parent ended before its worker answered (exit " + parent.waitFor() + ")");
            }
            worker = Long.parseLong(line.substring(4).strip());
            assertTrue(parent.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the parent (" + mode + ") exits on its own after main returns");
            long deadline = System.nanoTime() + HANG.toNanos();
            while (NoOrphansTest.alive(worker) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(NoOrphansTest.alive(worker), "the worker ends with its parent");
            return parent.exitValue();
        } finally {
            if (worker > 0) {
                ProcessHandle.of(worker).ifPresent(ProcessHandle::destroyForcibly);
            }
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            assertNoFilesLeftBy(parent);
        }
    }

    private static void assertNoFilesLeftBy(java.lang.Process parent) throws IOException {
        // NOTE: a parent that exits with its executor's workers still up (idle, System.exit, or a task
        // running) once left 1-3 files of its tree in /dev/shm: the exit step that ends children made the
        // pool replace them, files included, after the step that removes the tree's files had run
        String tree = "mp4j-" + parent.pid() + "-";
        try (var files = java.nio.file.Files.list(ShmNames.DIRECTORY)) {
            List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(tree)).toList();
            assertTrue(left.isEmpty(), "the parent's exit left " + left);
        }
    }
}
