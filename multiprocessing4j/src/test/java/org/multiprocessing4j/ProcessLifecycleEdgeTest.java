package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process lifecycle edge cases found by probing: each failed before its fix. */
class ProcessLifecycleEdgeTest extends ChildProcessTestBase {

    /** True once this child JVM has told its parent it began an orderly shutdown (read reflectively). */
    static boolean exitNoticeSent() {
        try {
            var f = Class.forName("org.multiprocessing4j.internal.launch.ChildNotices").getDeclaredField("exiting");
            f.setAccessible(true);
            return f.getBoolean(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void kill_of_a_child_stuck_in_its_shutdown_hooks_reads_as_minus_9() throws Exception {
        try (Event inHook = new Event()) {
            Process p = new Process(() -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    while (!exitNoticeSent()) {
                        Thread.onSpinWait();
                    }
                    inHook.set();
                    ProcessLifecycleTest.sleepForever();
                }));
                System.exit(0);
            });
            p.start();
            assertTrue(inHook.await(HANG), "the child reached its shutdown hook");
            p.kill();
            assertEquals(-9, joined(p), "Python: a process ended by SIGKILL has exitcode -9");
        }
    }

    static final class SelfAware extends Process {
        SelfAware() {
            super("self-aware");
        }

        @Override
        public void run() {
            boolean pidOk = pid().isPresent() && pid().getAsLong() == ProcessHandle.current().pid();
            boolean alive = isAlive();
            System.exit((pidOk ? 0 : 2) + (alive ? 0 : 4));
        }
    }

    @Test
    void inside_run_a_subclass_sees_its_own_pid_and_is_alive() throws Exception {
        // CPython: in the child, p.pid is os.getpid() and p.is_alive() is True ("if self is _current_process")
        assertEquals(0, joined(start(new SelfAware())));
    }

    private static Process start(Process p) {
        p.start();
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Collection<Process> startedSet() throws ReflectiveOperationException {
        var f = Children.class.getDeclaredField("STARTED");
        f.setAccessible(true);
        return (Collection<Process>) f.get(null);
    }

    @Test
    void a_finished_child_is_forgotten_when_the_next_one_starts() throws Exception {
        // CPython's start() reaps finished children (_cleanup()); a loop that starts and joins processes without
        // ever calling activeChildren() or close() must not keep each one (its JVM handle, output buffers) for ever
        Process first = new Process(() -> { });
        first.start();
        assertEquals(0, joined(first));
        Process second = new Process(() -> { });
        second.start();
        assertEquals(0, joined(second));
        synchronized (Children.class) {
            assertTrue(!startedSet().contains(first), "a finished child is still held after the next start");
        }
    }

    @Test
    void active_children_while_another_thread_closes_a_finished_child_does_not_throw() throws Exception {
        Process p = new Process(() -> { });
        p.start();
        assertEquals(0, joined(p));
        Thread closer;
        List<Process> active;
        // NOTE: holding the registry's lock makes the race deterministic: close() has marked p closed and
        // waits for the lock to remove it, while activeChildren() (same thread, reentrant) looks at p
        synchronized (Children.class) {
            closer = Thread.ofPlatform().start(p::close);
            while (closer.getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait();
            }
            active = Multiprocessing.activeChildren();
        }
        closer.join();
        assertTrue(!active.contains(p));
    }

    @Test
    void terminate_of_a_child_joining_its_children_at_exit_reads_as_minus_15() throws Exception {
        // CPython: a child whose run() returned joins its non-daemon children at exit; SIGTERM then ends it: -15
        try (Event exiting = new Event()) {
            Process p = new Process(() -> {
                Process grandchild = new Process(ProcessLifecycleTest::sleepForever);
                grandchild.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    while (!exitNoticeSent()) {
                        Thread.onSpinWait();
                    }
                    exiting.set();
                }));
            });
            p.start();
            assertTrue(exiting.await(HANG), "the child began its exit");
            p.terminate();
            assertEquals(-15, joined(p));
        }
    }

    @Test
    void a_relative_java_executable_means_the_same_file_whatever_the_working_directory(@TempDir Path dir)
            throws Exception {
        Path javaFile = Path.of(System.getProperty("java.home"), "bin", "java");
        Path relative = Path.of("").toAbsolutePath().relativize(javaFile);
        Path deep = Files.createDirectories(dir.resolve("a/b/c/d/e/f/g/h/i/j"));
        // build() checks the relative path against this JVM's directory: the child must run that same file
        try (Context ctx = Context.builder().javaExecutable(relative).workingDirectory(deep).build()) {
            assertEquals(0, joined(start(ctx.process(() -> { }))));
        }
    }

    @Test
    void a_process_object_that_reached_another_jvm_cannot_be_started_there() throws Exception {
        // CPython: "can only start a process object created by current process"; a copy would start under its
        // creator's identity and name
        Process inner = new Process("made-by-the-parent", () -> { });
        Process p = new Process(() -> {
            try {
                inner.start();
                inner.join();
                System.exit(3);
            } catch (IllegalStateException expected) {
                System.exit(42);
            } catch (InterruptedException e) {
                System.exit(4);
            }
        });
        p.start();
        assertEquals(42, joined(p), "42: the copy refused to start");
        assertEquals(null, inner.exitCode(), "the parent's own object is untouched");
    }

    @Test
    void a_directory_is_not_a_java_executable() {
        // build() documents IllegalArgumentException for a javaExecutable that is not executable
        assertThrows(IllegalArgumentException.class,
                () -> Context.builder().javaExecutable(Path.of(System.getProperty("java.home"), "bin")).build());
    }
}
