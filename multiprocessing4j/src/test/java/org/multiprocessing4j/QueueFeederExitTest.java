package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ShmNames;

/**
 * An unbounded queue's feeder (items a process put while the shared memory was full) against other
 * producers and the end of processes: it never makes another process's put wait, and a child waiting at
 * exit for its items to be taken still ends with its parent, or when told to.
 */
class QueueFeederExitTest extends ChildProcessTestBase {

    @Test
    void another_processs_backlog_never_makes_a_put_wait() throws Exception {
        try (Queue<Integer> q = new Queue<>(0, 1024); Event put = new Event(); Event go = new Event()) {
            Process producer = new Process(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        q.put(i);
                    }
                    put.set();
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            producer.start();
            assertTrue(put.await(HANG));
            // NOTE: the ring is full and the child's feeder waits for room; these must not wait with it
            assertTimeoutPreemptively(HANG, () -> {
                q.putNowait(-1);
                q.put(-2, java.time.Duration.ofMillis(1));
                assertTrue(q.asBlockingQueue().offer(-3));
            });
            go.set();
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < 103; i++) {
                got.add(q.get(HANG));
            }
            assertEquals(103, got.size());
            producer.join(HANG);
            assertEquals(0, producer.exitCode());
        }
    }

    @Test
    void after_close_and_cancelJoinThread_joinThread_returns_at_once_and_the_buffered_items_still_reach_a_consumer() throws Exception {
        Queue<Integer> q = new Queue<>(0, 1024);
        try (Queue<Long> sums = new Queue<>()) {
            for (int i = 0; i < 200; i++) {
                q.put(i);
            }
            q.close();
            q.cancelJoinThread();
            assertTimeoutPreemptively(HANG, q::joinThread, "as Python's join_thread after cancel_join_thread");
            Process consumer = new Process(() -> {
                try {
                    long sum = 0;
                    for (int i = 0; i < 200; i++) {
                        int item = q.get();
                        if (item != i) {
                            throw new IllegalStateException("item " + item + " where " + i + " was due");
                        }
                        sum += item;
                    }
                    sums.put(sum);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            consumer.start();
            assertEquals(199L * 200 / 2, sums.get(HANG), "the feeder went on feeding");
            consumer.join(HANG);
            assertEquals(0, consumer.exitCode());
        }
    }

    @Test
    void an_unbounded_joinable_queue_never_blocks_a_put_and_join_waits_for_the_buffered_items_too() throws Exception {
        int n = 2000;
        try (JoinableQueue<Integer> q = new JoinableQueue<>(0, 1024); Event paused = new Event(); Event resume = new Event()) {
            // NOTE: no consumer yet: the 1 KiB ring holds some 60 items, the rest wait in this process
            assertTimeoutPreemptively(HANG, () -> {
                for (int i = 0; i < n; i++) {
                    q.put(i);
                }
            });
            assertEquals(n, q.qsize(), "qsize counts the items waiting in the producer");
            Process worker = new Process(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        if (q.get() != i) {
                            throw new IllegalStateException("out of order at " + i);
                        }
                        q.taskDone();
                        if (i == 99) {
                            paused.set();
                            resume.await();
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            worker.start();
            assertTrue(paused.await(HANG));
            CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
                try {
                    q.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(joined.isDone(), "1,900 items are unfinished, most of them still in this process's feeder");
            resume.set();
            joined.get(HANG.toSeconds(), TimeUnit.SECONDS);
            worker.join(HANG);
            assertEquals(0, worker.exitCode());
            assertEquals(0, q.qsize());
        }
    }

    @Test
    void a_child_waiting_at_exit_for_its_items_to_be_taken_ends_when_terminated() throws Exception {
        try (Queue<Integer> q = new Queue<>(0, 1024); Event put = new Event()) {
            Process child = new Process(FeederParentMain.putsMoreThanFitsThenSignals(q, put));
            child.start();
            assertTrue(put.await(HANG));
            Thread.sleep(500); // NOTE: let it reach its exit step, which waits for a consumer that never comes
            assertTrue(child.isAlive(), "it waits at exit, as Python's join_thread does");
            child.terminate();
            child.join(HANG);
            assertFalse(child.isAlive(), "terminate() ends a child that waits at exit");
        }
    }

    @Test
    void a_root_waiting_at_exit_for_its_items_to_be_taken_ends_on_SIGTERM_and_leaves_no_file(@org.junit.jupiter.api.io.TempDir Path base)
            throws Exception {
        java.lang.Process root = LaunchedJvm.start(base, FeederParentMain.class, "root");
        try {
            String line = LaunchedJvm.lineStartingWith(root, "put");
            assertEquals("put", line);
            Thread.sleep(500); // NOTE: let main return and the exit step start waiting
            assertTrue(root.isAlive(), "its exit waits for the items, as Python's join_thread at exit");
            root.destroy(); // SIGTERM
            assertTrue(root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "SIGTERM ends the wait");
            String tree = "mp4j-" + root.pid() + "-";
            try (var files = java.nio.file.Files.list(ShmNames.DIRECTORY)) {
                List<String> left = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(tree)).toList();
                assertTrue(left.isEmpty(), "the root's exit left " + left);
            }
        } finally {
            root.destroyForcibly();
            root.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_child_waiting_at_exit_for_its_items_to_be_taken_ends_when_its_parent_is_killed(@org.junit.jupiter.api.io.TempDir Path base)
            throws Exception {
        java.lang.Process parent = LaunchedJvm.start(base, FeederParentMain.class);
        long child = -1;
        try {
            String line = LaunchedJvm.lineStartingWith(parent, "pid ");
            assertNotNull(line, "the parent printed its child's pid");
            child = Long.parseLong(line.substring(4).strip());
            Thread.sleep(500); // NOTE: let the child reach its exit step
            assertTrue(NoOrphansTest.alive(child), "the child waits at exit for its items to be taken");
            parent.toHandle().destroyForcibly();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (NoOrphansTest.alive(child) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(NoOrphansTest.alive(child), "no orphan: the child ends with its parent");
        } finally {
            if (child > 0) {
                ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
            }
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            ShmNames.sweepDeadTrees(ShmNames.DIRECTORY); // NOTE: the SIGKILLed parent's files, as after any SIGKILL
        }
    }
}
