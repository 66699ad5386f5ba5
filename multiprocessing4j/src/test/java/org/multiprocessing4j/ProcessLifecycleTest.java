package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Process per API.md: the whole lifecycle with real child JVMs. */
class ProcessLifecycleTest extends ChildProcessTestBase {

    @Test
    void a_target_that_returns_exits_with_0() throws Exception {
        assertEquals(0, run(new Process(() -> { })));
    }

    @Test
    void a_target_that_throws_exits_with_1_and_prints_its_stack_trace_on_the_childs_stderr() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            Process p = new Process("thrower", () -> {
                throw new IllegalStateException("boom in child");
            });
            assertEquals(1, run(p));
            String err = output.err();
            assertTrue(err.contains("Process thrower:"), err);
            assertTrue(err.contains("java.lang.IllegalStateException: boom in child"), err);
            assertTrue(err.contains("ProcessLifecycleTest"), "stack trace names the lambda's class: " + err);
        }
    }

    @Test
    void system_exit_n_in_the_child_gives_exit_code_n() throws Exception {
        assertEquals(7, run(new Process(() -> System.exit(7))));
        assertEquals(143, run(new Process(() -> System.exit(143))), "an exit status that looks like a signal is still an exit");
    }

    @Test
    void terminate_gives_minus_15_and_kill_gives_minus_9() throws Exception {
        Process t = new Process(ProcessLifecycleTest::sleepForever);
        t.start();
        assertTrue(t.isAlive());
        assertNull(t.exitCode());
        t.terminate();
        t.join(HANG);
        assertEquals(-15, t.exitCode());
        assertFalse(t.isAlive());

        Process k = new Process(ProcessLifecycleTest::sleepForever);
        k.start();
        k.kill();
        k.join(HANG);
        assertEquals(-9, k.exitCode());
    }

    @Test
    void terminate_at_any_moment_after_start_reads_as_minus_15() throws Exception {
        // Guards the race between the child's signal handlers and its exit notice (it once read as 1 or 143).
        for (int delayMillis : new int[] {0, 0, 1, 3, 10, 30}) {
            Process p = new Process(ProcessLifecycleTest::sleepForever);
            p.start();
            Thread.sleep(delayMillis);
            p.terminate();
            p.join(HANG);
            assertEquals(-15, p.exitCode(), "terminate " + delayMillis + " ms after start");
        }
    }

    @Test
    void a_subclass_carries_its_fields_to_the_child() throws Exception {
        assertEquals(42, run(new Adder(20, 22)));
    }

    static final class Adder extends Process {
            private final int a;
            private final int b;

            Adder(int a, int b) {
                super("adder");
                this.a = a;
                this.b = b;
            }

            @Override
            public void run() {
                System.exit(a + b);
            }
    }

    @Test
    void state_errors_are_IllegalStateException() throws Exception {
        Process p = new Process(() -> { });
        assertThrows(IllegalStateException.class, p::join, "join before start");
        assertThrows(IllegalStateException.class, p::sentinel, "sentinel before start");
        assertThrows(IllegalStateException.class, p::terminate, "terminate before start");
        assertFalse(p.isAlive());
        assertTrue(p.pid().isEmpty());

        Process running = new Process(ProcessLifecycleTest::sleepForever);
        running.start();
        assertThrows(IllegalStateException.class, running::start, "start twice");
        assertThrows(IllegalStateException.class, () -> running.setDaemon(true), "setDaemon after start");
        assertThrows(IllegalStateException.class, running::close, "close while running");
        running.kill();
        running.join();
        running.close();
        running.close(); // idempotent
        assertThrows(IllegalStateException.class, running::exitCode, "use after close");
        assertThrows(IllegalStateException.class, running::start, "start after close");
    }

    @Test
    void null_target_and_null_name_are_rejected_with_their_names() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new Process((SerializableRunnable) null));
        assertEquals("target", e.getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> new Process(null, () -> { })).getMessage());
    }

    @Test
    void a_target_capturing_something_unserializable_fails_in_start_naming_the_class() {
        Object notSerializable = new Object() {
            @Override
            public String toString() {
                return "x";
            }
        };
        Process p = new Process(() -> System.out.println(notSerializable));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(e.getMessage().contains(notSerializable.getClass().getName()), e.getMessage());
        assertFalse(p.isAlive());
        assertTrue(p.pid().isEmpty(), "no child was started");
    }

    @Test
    void pid_and_name_match_what_the_child_sees() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            Process p = new Process("seer", () -> {
                ProcessInfo me = Multiprocessing.currentProcess();
                ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
                System.out.println("me=" + me.name() + "/" + me.pid() + " parent=" + parent.pid()
                        + " key=" + java.util.HexFormat.of().formatHex(me.authkey()));
            });
            assertEquals(0, run(p));
            String key = java.util.HexFormat.of().formatHex(Multiprocessing.currentProcess().authkey());
            assertTrue(output.out().contains("me=seer/" + p.pid().getAsLong() + " parent=" + ProcessHandle.current().pid()
                    + " key=" + key), output.out());
        }
    }

    @Test
    void the_root_is_MainProcess_without_a_parent_and_default_names_count_up() {
        assertEquals("MainProcess", Multiprocessing.currentProcess().name());
        assertTrue(Multiprocessing.parentProcess().isEmpty());
        int a = Integer.parseInt(new Process(() -> { }).name().substring("Process-".length()));
        int b = Integer.parseInt(new Process(() -> { }).name().substring("Process-".length()));
        assertEquals(a + 1, b);
        assertTrue(Multiprocessing.cpuCount() >= 1);
    }

    @Test
    void active_children_lists_running_children_and_reaps_finished_ones() throws Exception {
        Process p = new Process(ProcessLifecycleTest::sleepForever);
        p.start();
        assertTrue(Multiprocessing.activeChildren().contains(p));
        p.kill();
        p.join();
        assertFalse(Multiprocessing.activeChildren().contains(p));
    }

    @Test
    void join_with_a_timeout_returns_while_the_child_runs_and_a_negative_timeout_just_looks() throws Exception {
        Process p = new Process(ProcessLifecycleTest::sleepForever);
        p.start();
        p.join(Duration.ofMillis(200));
        assertTrue(p.isAlive());
        p.join(Duration.ofSeconds(-5));
        assertTrue(p.isAlive());
        assertTrue(p.sentinel().await(Duration.ZERO) == false);
        p.kill();
        assertTrue(p.sentinel().await(HANG));
        p.join(Duration.ofMillis(-1));
    }

    @Test
    void an_interrupt_ends_a_blocked_join_and_leaves_the_child_running() throws Exception {
        Process p = new Process(ProcessLifecycleTest::sleepForever);
        p.start();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, p::join);
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was reported, not kept");
        assertTrue(p.isAlive());
        p.kill();
        p.join();
    }

    @Test
    void stdin_of_the_child_is_empty() throws Exception {
        assertEquals(0, run(new Process(() -> {
            try {
                System.exit(System.in.read() == -1 ? 0 : 3);
            } catch (java.io.IOException e) {
                System.exit(4);
            }
        })));
    }

    @Test
    void the_child_waits_for_its_non_daemon_threads_before_exiting() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            assertEquals(0, run(new Process(() -> {
                Thread t = new Thread(() -> {
                    sleep(300);
                    System.out.println("late thread done");
                });
                t.setDaemon(false);
                t.start();
            })));
            assertTrue(output.out().contains("late thread done"), output.out());
        }
    }

    @Test
    void a_child_can_start_its_own_children_named_after_it() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            Process p = new Process(() -> {
                Process grandchild = new Process(() -> System.out.println("grandchild " + Multiprocessing.currentProcess().name()
                        + " of " + Multiprocessing.parentProcess().orElseThrow().name()));
                try {
                    grandchild.start();
                    grandchild.join();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                System.exit(grandchild.exitCode() == 0 ? 5 : 6);
            });
            assertEquals(5, run(p));
            assertTrue(output.out().contains("grandchild " + p.name() + ":1 of " + p.name()), output.out());
        }
    }

    @Test
    void a_daemon_child_cannot_start_children() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            Process p = new Process(() -> new Process(() -> { }).start());
            p.setDaemon(true);
            assertTrue(p.daemon());
            assertEquals(1, run(p));
            assertTrue(output.err().contains("daemonic processes are not allowed to have children"), output.err());
        }
    }

    @Test
    void an_exception_raised_in_a_child_arrives_with_its_type_message_and_the_childs_stack_trace() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            assertEquals(0, run(new Process(() -> {
                var codec = new org.multiprocessing4j.internal.wire.ThrowableCodec(
                        new org.multiprocessing4j.internal.wire.ObjectCodec(new org.multiprocessing4j.internal.wire.JdkSerializer()));
                Throwable t;
                try {
                    throw new java.util.ConcurrentModificationException("raised in pid " + ProcessHandle.current().pid());
                } catch (RuntimeException e) {
                    t = e;
                }
                System.out.println("thrown:" + java.util.Base64.getEncoder().encodeToString(codec.encode(t)));
            })));
            String line = output.out().lines().filter(l -> l.startsWith("thrown:")).findFirst().orElseThrow();
            var codec = new org.multiprocessing4j.internal.wire.ThrowableCodec(
                    new org.multiprocessing4j.internal.wire.ObjectCodec(new org.multiprocessing4j.internal.wire.JdkSerializer()));
            Throwable back = codec.decode(java.util.Base64.getDecoder().decode(line.substring("thrown:".length())), getClass().getClassLoader());
            assertEquals(java.util.ConcurrentModificationException.class, back.getClass());
            assertTrue(back.getMessage().startsWith("raised in pid ") && !back.getMessage().endsWith(" " + ProcessHandle.current().pid()));
            assertTrue(java.util.Arrays.stream(back.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("ChildMain")),
                    "the stack trace is the child's: it runs through the child's entry point");
        }
    }

    static void sleepForever() {
        sleep(Long.MAX_VALUE);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void terminate_while_another_thread_starts_the_process_waits_for_the_start_and_terminates_it() throws Exception {
        // NOTE: it was refused ("not started") and lost: the child then ran on
        Process p = new Process(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread starter = new Thread(p::start);
        starter.start();
        // NOTE: terminate() must come while start() runs (a spawn takes well over 100 ms). A fixed 10 ms was not
        // enough on a loaded machine: the starter had not yet entered start(), and terminate() was refused
        // ("not started"). Once a frame above start() shows, start() holds the process's monitor (its body
        // is one synchronized block); if the start ended first, terminate() just ends the child, as asserted
        awaitInsideStart(starter);
        p.terminate();
        starter.join();
        p.join(HANG);
        assertEquals(-15, p.exitCode());
    }

    /** Waits until {@code starter} runs a call made from inside {@link Process#start()}, or has ended. */
    private static void awaitInsideStart(Thread starter) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (starter.isAlive()) {
            StackTraceElement[] stack = starter.getStackTrace();
            for (int i = 1; i < stack.length; i++) {
                if (stack[i].getClassName().equals(Process.class.getName()) && stack[i].getMethodName().equals("start")) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the starter never got into start()");
            Thread.sleep(1);
        }
    }
}
