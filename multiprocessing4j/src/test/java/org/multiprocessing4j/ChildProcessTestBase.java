package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.multiprocessing4j.internal.launch.ProcessTree;

/**
 * Base of every test that starts child JVMs: after each test it fails the test if it left a child JVM
 * running (and ends those, by pid), per-child threads, or files in the tree's runtime directory or in
 * {@code /dev/shm} beyond what was there before.
 */
public abstract class ChildProcessTestBase {
    /** Generous bound that turns a hang into a failure; never a timing goal. */
    protected static final Duration HANG = Duration.ofSeconds(60);
    /** How long a child that is already ending may take to disappear. */
    protected static final Duration SETTLE = Duration.ofSeconds(10);

    private Set<Long> descendantsBefore;
    private Set<Path> runtimeFilesBefore;
    private Set<Path> shmBefore;

    @BeforeEach
    void recordResources() {
        descendantsBefore = descendants();
        runtimeFilesBefore = runtimeFiles();
        shmBefore = libraryShmFiles();
    }

    @AfterEach
    void assertNothingLeaked() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Set<Long> leaked;
        while (!(leaked = newDescendants()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!leaked.isEmpty()) {
            leaked.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            fail("test left child JVMs running (killed now): " + leaked);
        }
        List<String> threads;
        while (!(threads = perChildThreads()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!threads.isEmpty()) {
            fail("test left per-child threads running: " + threads);
        }
        Set<Path> files = runtimeFiles();
        files.removeAll(runtimeFilesBefore);
        files.removeIf(p -> p.getFileName().toString().startsWith("rv-")); // this JVM's rendezvous socket
        if (!files.isEmpty()) {
            fail("test left runtime files: " + files);
        }
        Set<Path> shm = libraryShmFiles();
        shm.removeAll(shmBefore);
        if (!shm.isEmpty()) {
            fail("test left files in /dev/shm: " + shm);
        }
    }

    /**
     * True for a {@code /dev/shm} file of another process tree that still runs (another build on the same
     * machine): its name starts with a root pid that is alive and neither this JVM nor a descendant of it.
     * Files of dead roots, ours included, still count as leaks.
     */
    private static boolean ofAnotherLiveTree(Path file) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("mp4j-(\\d+)-.*").matcher(file.getFileName().toString());
        if (!m.matches()) {
            return false;
        }
        long root = Long.parseLong(m.group(1));
        return root != ProcessHandle.current().pid()
                && ProcessHandle.of(root).filter(ProcessHandle::isAlive).isPresent()
                && ProcessHandle.current().descendants().noneMatch(d -> d.pid() == root);
    }

    /**
     * The library's files in {@code /dev/shm} (named {@code mp4j-<rootPid>-<rootStart>-...}) that this test
     * run could have made: those of other process trees still running (other builds on the machine) are
     * left out; those of dead trees are kept, so a leak by a tree that died counts.
     */
    static Set<Path> libraryShmFiles() {
        Set<Path> files = list(Path.of("/dev/shm"));
        files.removeIf(p -> !p.getFileName().toString().startsWith("mp4j-") || ofAnotherLiveTree(p));
        return files;
    }

    /** Threads the library keeps per child JVM; they must end with the child. */
    private static List<String> perChildThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("mp4j-stdout-") || n.startsWith("mp4j-stderr-") || n.startsWith("mp4j-link-"))
                .toList();
    }

    private Set<Long> newDescendants() {
        Set<Long> now = descendants();
        now.removeAll(descendantsBefore);
        return now;
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toCollection(java.util.HashSet::new));
    }

    private static Set<Path> runtimeFiles() {
        Path tree = ProcessTree.self().treeDirectory();
        return tree == null ? new java.util.HashSet<>() : list(tree);
    }

    static Set<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return new java.util.HashSet<>();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toCollection(java.util.HashSet::new));
        } catch (IOException e) {
            return new java.util.HashSet<>();
        }
    }

    /** Starts {@code p} and joins it within {@link #HANG}; returns its exit code. */
    protected static int run(Process p) throws InterruptedException {
        p.start();
        p.join(HANG);
        if (p.isAlive()) {
            p.kill();
            fail("process did not end within " + HANG + ": " + p);
        }
        return p.exitCode();
    }

    protected static List<String> lines(String text) {
        return text.lines().toList();
    }
}
