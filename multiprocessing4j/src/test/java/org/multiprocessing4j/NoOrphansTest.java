package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.internal.launch.RuntimeDirectory;

/** Children never outlive their parent JVM; a real intermediate parent JVM is started and ended. */
class NoOrphansTest extends ChildProcessTestBase {

    @Test
    void every_child_ends_when_the_parent_is_killed_with_SIGKILL_and_its_runtime_files_are_swept(@TempDir Path base) throws Exception {
        java.lang.Process parent = startIntermediate(base, "wait");
        List<Long> children = readPids(parent);
        try {
            assertTrue(children.stream().allMatch(NoOrphansTest::alive), "children run while their parent lives");
            long t0 = System.nanoTime();
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            long deadline = t0 + HANG.toNanos();
            while (children.stream().anyMatch(NoOrphansTest::alive) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(children.stream().anyMatch(NoOrphansTest::alive), "children outlived their SIGKILLed parent");
            System.out.printf("children of a SIGKILLed parent ended %.1f ms after the kill%n", (System.nanoTime() - t0) / 1e6);
            assertTrue(hasTree(base), "the killed parent could not clean up its runtime directory");
            RuntimeDirectory.sweepDeadTrees(base);
            assertFalse(hasTree(base), "the sweep removes the runtime directory of a dead tree");
        } finally {
            children.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            parent.toHandle().destroyForcibly();
        }
    }

    @Test
    void on_normal_exit_daemon_children_are_terminated_and_the_others_joined(@TempDir Path base) throws Exception {
        Path marker = base.resolve("worker-finished");
        java.lang.Process parent = startIntermediate(base, "normal-exit", marker.toString());
        List<Long> children = readPids(parent);
        try {
            assertTrue(parent.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the parent exits");
            assertEquals(0, parent.exitValue());
            assertTrue(Files.exists(marker), "the non-daemon child was joined, so it finished its work");
            assertFalse(children.stream().anyMatch(NoOrphansTest::alive), "no child outlives a normal exit");
            assertFalse(hasTree(base), "a normal exit removes the runtime directory");
        } finally {
            children.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            parent.toHandle().destroyForcibly();
        }
    }

    @Test
    void on_SIGTERM_the_parent_ends_its_non_daemon_children_instead_of_joining_them(@TempDir Path base) throws Exception {
        // NOTE: the exit step joined the child (which sleeps a minute) without limit: kill, docker stop or a service
        // manager could not stop the application
        java.lang.Process parent = LaunchedJvm.start(base, SignalledRootMain.class);
        long child = -1;
        try {
            String line = LaunchedJvm.lineStartingWith(parent, "child ");
            child = Long.parseLong(line.substring(6).strip());
            long t0 = System.nanoTime();
            parent.destroy(); // SIGTERM
            assertTrue(parent.waitFor(20, TimeUnit.SECONDS), "the parent ends on SIGTERM without waiting for its child");
            assertEquals(143, parent.exitValue(), "128 + SIGTERM, as the JVM's own handler");
            long deadline = t0 + HANG.toNanos();
            while (alive(child) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(alive(child), "no orphan");
            assertFalse(hasTree(base), "its exit removed the runtime directory");
        } finally {
            if (child > 0) {
                ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
            }
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static java.lang.Process startIntermediate(Path base, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dmultiprocessing4j.runtimeDir=" + base,
                "-cp", System.getProperty("java.class.path"),
                IntermediateParentMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<Long> readPids(java.lang.Process parent) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream()));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("pids ")) {
                String[] parts = line.split(" ");
                return List.of(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            }
        }
        fail("the intermediate parent ended without starting its children (exit " + parent.waitFor() + ")");
        return List.of();
    }

    /** Alive and not a zombie: {@link ProcessHandle#isAlive()} counts an unreaped zombie as alive. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    private static boolean hasTree(Path base) {
        return list(base).stream().anyMatch(p -> p.getFileName().toString().startsWith("tree-"));
    }
}
