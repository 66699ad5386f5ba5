package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process tree (three levels, killed at each level), found by probing: each failed before its fix. */
class ProcessTreeCornersTest extends ChildProcessTestBase {

    /**
     * A root JVM: starts a non-daemon child that starts a non-daemon grandchild sleeping for ever and then
     * returns from {@code run()}, so that the child's exit joins the grandchild (Python's {@code _exit_function}).
     * Once the child is in that exit it prints {@code pids <child> <grandchild>} and waits to be killed.
     */
    public static final class JoiningMiddleRoot {
        public static void main(String[] args) throws Exception {
            String grandchildPid = args[0];
            String inExit = args[1];
            Process middle = new Process(() -> {
                Process grandchild = new Process("grandchild", ProcessLifecycleTest::sleepForever);
                grandchild.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    while (!ProcessLifecycleEdgeTest.exitNoticeSent()) {
                        Thread.onSpinWait();
                    }
                    ProcessCornersTest.write(inExit);
                }));
                try {
                    Files.writeString(Path.of(grandchildPid), Long.toString(grandchild.pid().orElseThrow()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            middle.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!Files.exists(Path.of(inExit)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.println("pids " + middle.pid().orElseThrow() + " " + Files.readString(Path.of(grandchildPid)).strip());
            System.out.flush();
            ProcessLifecycleTest.sleepForever();
        }
    }

    @Test
    void a_child_joining_its_children_at_exit_ends_them_and_itself_when_its_parent_is_killed(@TempDir Path base) throws Exception {
        // NOTE: once its exit began, a child no longer watched its parent: a SIGKILLed root left the child joining
        // its non-daemon grandchild for ever, and both ran on as orphans
        java.lang.Process root = LaunchedJvm.start(base, JoiningMiddleRoot.class, base.resolve("gpid").toString(),
                base.resolve("in-exit").toString());
        List<Long> pids = new ArrayList<>();
        try {
            String line = LaunchedJvm.lineStartingWith(root, "pids ");
            assertNotNull(line, "the root started its tree");
            for (String pid : line.substring(5).strip().split(" ")) {
                pids.add(Long.parseLong(pid));
            }
            Thread.sleep(300); // NOTE: not needed for the failure: the child is in its exit already (its hook saw the notice)
            assertTrue(pids.stream().allMatch(NoOrphansTest::alive), "the tree runs while its root lives");
            root.toHandle().destroyForcibly();
            assertTrue(root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS));
            long deadline = System.nanoTime() + SETTLE.toNanos() * 2;
            while (pids.stream().anyMatch(NoOrphansTest::alive) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(pids.stream().anyMatch(NoOrphansTest::alive), "no orphan: the child and the grandchild end with the root");
        } finally {
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            root.toHandle().destroyForcibly();
            root.waitFor(SETTLE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void a_grandchild_sees_its_parent_by_name_and_pid_and_the_trees_authkey() throws Exception {
        String key = java.util.HexFormat.of().formatHex(Multiprocessing.currentProcess().authkey());
        try (Queue<String> seen = new Queue<>()) {
            Process middle = new Process(() -> {
                Process grandchild = new Process(() -> {
                    ProcessInfo me = Multiprocessing.currentProcess();
                    ProcessInfo parent = Multiprocessing.parentProcess().orElseThrow();
                    try {
                        seen.put(me.name() + " " + me.daemon() + " " + parent.name() + " " + parent.pid() + " "
                                + java.util.HexFormat.of().formatHex(me.authkey()) + " "
                                + java.util.HexFormat.of().formatHex(parent.authkey()));
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                });
                try {
                    grandchild.start();
                    grandchild.join();
                    seen.put("middle " + ProcessHandle.current().pid() + " " + grandchild.exitCode() + " "
                            + Multiprocessing.activeChildren().size());
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            middle.start();
            String g = seen.get(HANG);
            String m = seen.get(HANG);
            assertEquals(0, joined(middle));
            assertEquals("middle " + middle.pid().getAsLong() + " 0 0", m);
            assertEquals(middle.name() + ":1 false " + middle.name() + " " + middle.pid().getAsLong() + " " + key + " " + key, g);
        }
    }

    @Test
    void killing_a_middle_process_ends_its_children_and_its_standby_jvms() throws Exception {
        try (Queue<Long> pids = new Queue<>()) {
            Process middle = new Process(() -> {
                Context prestarted = Context.builder().startMethod(StartMethod.PRESTARTED).build();
                Process a = prestarted.process(ProcessLifecycleTest::sleepForever);
                Process b = new Process(ProcessLifecycleTest::sleepForever);
                a.start();
                b.start();
                try {
                    pids.put(a.pid().getAsLong());
                    pids.put(b.pid().getAsLong());
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                ProcessLifecycleTest.sleepForever();
            });
            middle.start();
            // NOTE: a set: the middle's descendants include its two children again; a third pid is a standby JVM
            Set<Long> all = new LinkedHashSet<>(List.of(pids.get(HANG), pids.get(HANG)));
            long found = System.nanoTime() + HANG.toNanos();
            while (all.size() < 3 && System.nanoTime() < found) {
                ProcessHandle.of(middle.pid().getAsLong()).orElseThrow().descendants().forEach(h -> all.add(h.pid()));
                Thread.sleep(10);
            }
            assertTrue(all.size() >= 3, "a standby JVM runs too: " + all);
            middle.kill();
            assertEquals(-9, joined(middle));
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (all.stream().anyMatch(NoOrphansTest::alive) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try {
                assertFalse(all.stream().anyMatch(NoOrphansTest::alive), "grandchildren and standbys end with their parent");
            } finally {
                all.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    @Test
    void a_child_ended_by_a_signal_from_outside_reads_as_minus_that_signal() throws Exception {
        for (int signal : new int[] {15, 2, 1, 9, 14}) {
            if (ignoredHere(signal)) {
                continue; // NOTE: a child inherits an ignored signal (nohup ignores HUP, a background job INT): it stays alive
            }
            try (Event running = new Event()) {
                Process p = new Process(() -> {
                    running.set();
                    ProcessLifecycleTest.sleepForever();
                });
                p.start();
                assertTrue(running.await(HANG));
                java.lang.Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid().getAsLong())).start();
                assertEquals(0, kill.waitFor());
                assertEquals(-signal, joined(p), "signal " + signal);
            }
        }
    }

    /** Whether this JVM ignores {@code signal} (SigIgn of /proc/self/status): its children then ignore it too. */
    private static boolean ignoredHere(int signal) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    @Test
    void after_close_every_method_but_name_daemon_and_close_throws() throws Exception {
        Process p = new Process("closing", ProcessLifecycleTest::sleepForever);
        p.start();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, p::close);
        Thread joiner = Thread.ofPlatform().start(() -> {
            try {
                p.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(p.isAlive());
        p.kill();
        joiner.join(HANG.toMillis());
        assertFalse(p.isAlive());
        assertEquals(-9, p.exitCode());
        p.close();
        p.close();
        assertEquals("closing", p.name());
        assertFalse(p.daemon());
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                p::isAlive, p::exitCode, p::pid, p::join, () -> p.join(HANG), p::terminate, p::kill, p::sentinel, p::start)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, call);
        }
        assertFalse(Multiprocessing.activeChildren().contains(p));
    }

    /**
     * A subclass whose static initializer looks at the process tree: it runs wherever an instance is first
     * decoded, which in a standby JVM is before the standby is handed its own process (it preloads recent ones).
     */
    static final class TreeAwareAtInit extends Process {
        static final String SEEN_AT_INIT = java.util.HexFormat.of().formatHex(Multiprocessing.currentProcess().authkey())
                + " parent=" + Multiprocessing.parentProcess().map(ProcessInfo::pid).orElse(0L);
        private final Queue<String> out;

        TreeAwareAtInit(Context ctx, Queue<String> out) {
            super(null, null, ctx); // NOTE: package-private; a user's subclass is PRESTARTED through the default context
            this.out = out;
        }

        @Override
        public void run() {
            try {
                out.put(SEEN_AT_INIT);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }

    @Test
    void static_initializers_run_while_a_standby_preloads_see_the_trees_authkey_and_parent() throws Exception {
        // NOTE: a preloading standby took itself for a root: a fresh random authkey (a static Client or Listener keyed
        // with it failed to authenticate, only in PRESTARTED children after the first) and no parent
        String expected = java.util.HexFormat.of().formatHex(Multiprocessing.currentProcess().authkey())
                + " parent=" + ProcessHandle.current().pid();
        try (Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).build(); Queue<String> out = new Queue<>()) {
            for (int i = 0; i < 3; i++) { // the first start preloads the kind into the next standbys
                Process p = new TreeAwareAtInit(ctx, out);
                p.start();
                String seen = out.get(HANG);
                assertEquals(0, joined(p));
                assertEquals(expected, seen, "start " + i);
            }
        }
    }
}
