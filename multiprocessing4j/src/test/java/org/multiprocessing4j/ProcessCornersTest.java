package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process, its children and their exit, at the corners found by probing: each failed before its fix. */
class ProcessCornersTest extends ChildProcessTestBase {

    /**
     * A subclass that is equal to every other of its kind with the same shard (as a generated or hand-written
     * value {@code equals} makes it): to this library's bookkeeping two such processes are still two children.
     */
    static final class ShardWorker extends Process {
        private final int shard;
        private final SerializableRunnable body;

        ShardWorker(int shard, SerializableRunnable body) {
            this.shard = shard;
            this.body = body;
        }

        @Override
        public void run() {
            body.run();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShardWorker w && w.shard == shard;
        }

        @Override
        public int hashCode() {
            return shard;
        }
    }

    static void write(String file) {
        try {
            Files.writeString(Path.of(file), "done");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void active_children_lists_every_started_child_even_those_equal_by_their_own_equals() throws Exception {
        Process a = new ShardWorker(7, ProcessLifecycleTest::sleepForever);
        Process b = new ShardWorker(7, ProcessLifecycleTest::sleepForever);
        a.start();
        try {
            b.start();
            try {
                List<Process> active = Multiprocessing.activeChildren();
                assertTrue(active.stream().anyMatch(p -> p == a) && active.stream().anyMatch(p -> p == b),
                        "both children are active: " + active);
            } finally {
                b.kill();
                joined(b);
            }
        } finally {
            a.kill();
            joined(a);
        }
    }

    /**
     * A root JVM that starts two non-daemon {@link ShardWorker}s equal by {@code equals}, then returns from main.
     * The first ends once the second runs; the second writes its marker 2 s later: only a join at exit waits for it.
     */
    public static final class EqualWorkersRoot {
        public static void main(String[] args) throws Exception {
            String first = args[0];
            String second = args[1];
            Event secondStarted = new Event();
            new ShardWorker(1, () -> {
                try {
                    secondStarted.await(HANG);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                write(first);
            }).start();
            new ShardWorker(1, () -> {
                ProcessLifecycleTest.sleep(2_000);
                write(second);
            }).start();
            secondStarted.set();
        }
    }

    @Test
    void at_normal_exit_every_non_daemon_child_is_joined_even_those_equal_by_their_own_equals(@TempDir Path base) throws Exception {
        Path first = base.resolve("first-done");
        Path second = base.resolve("second-done");
        java.lang.Process root = LaunchedJvm.start(base, EqualWorkersRoot.class, first.toString(), second.toString());
        try {
            assertTrue(root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the root exits");
            assertEquals(0, root.exitValue());
            assertTrue(Files.exists(first), "the first child was joined, so it finished its work");
            assertTrue(Files.exists(second), "the second child was joined, so it finished its work");
        } finally {
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.toHandle().destroyForcibly();
            root.waitFor(SETTLE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void an_interrupt_pending_at_a_prestarted_start_fails_it_as_an_interrupt_not_as_a_dead_child() throws Exception {
        try (Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).build()) {
            ctx.prestart(); // a standby is ready: start() only writes the run order to it
            Process p = ctx.process(() -> { });
            ProcessError e;
            boolean flagKept;
            Thread.currentThread().interrupt();
            try {
                e = assertThrows(ProcessError.class, p::start);
            } finally {
                flagKept = Thread.interrupted();
            }
            assertTrue(flagKept, "the interrupt flag is restored");
            assertInstanceOf(InterruptedException.class, e.getCause(), "an interrupt, as SPAWN reports it: " + e);
            assertFalse(e.getMessage().contains("died"), "the standby did not die by itself: " + e.getMessage());
            Process q = ctx.process(() -> { });
            q.start();
            assertEquals(0, joined(q), "the context still starts processes");
        }
    }

    /**
     * A target that throws while a non-daemon thread of its own works on: as after a normal return, and as in
     * CPython ({@code threading._shutdown()} in its bootstrap's finally) and a Java {@code main} that throws, the
     * child waits for that thread, then exits with 1. It exited at once and the thread's work was lost.
     */
    @Test
    void a_target_that_throws_waits_for_its_non_daemon_threads_then_exits_1(@TempDir Path dir) throws Exception {
        String marker = dir.resolve("thread-finished").toString();
        Process p = new Process(() -> {
            Thread.ofPlatform().daemon(false).start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                write(marker);
            });
            throw new IllegalStateException("the target fails while its thread works");
        });
        try (CapturedOutput output = new CapturedOutput()) {
            p.start();
            p.join(HANG);
            assertEquals(1, p.exitCode());
            assertTrue(output.err().contains("the target fails while its thread works"), output.err());
        }
        assertTrue(Files.exists(Path.of(marker)), "the non-daemon thread's work was cut short");
    }

    /**
     * Each PRESTARTED context's standby pool added an exit step that stayed after the context closed: a program
     * that makes and closes contexts one after another kept every one of them reachable until it exited.
     */
    @Test
    void closed_prestarted_contexts_leave_no_exit_step_behind() throws Exception {
        var phase = org.multiprocessing4j.internal.launch.ExitSequence.Phase.CONTEXTS;
        try (Context warm = Context.builder().startMethod(StartMethod.PRESTARTED).standbyCount(1).build()) {
            warm.prestart(); // NOTE: the first one may add steps of its own kind (an AOT cache's training)
        }
        int before = org.multiprocessing4j.internal.launch.ExitSequence.stepCount(phase);
        for (int i = 0; i < 3; i++) {
            try (Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).standbyCount(1).build()) {
                ctx.prestart();
            }
        }
        assertEquals(before, org.multiprocessing4j.internal.launch.ExitSequence.stepCount(phase));
    }
}
