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
 * {@code /dev/shm} beyond what was there before (in {@code /dev/shm}, only files of this JVM's process
 * trees: see {@link ShmLeaks}).
 */
public abstract class ChildProcessTestBase {
    /** Generous bound that turns a hang into a failure; never a timing goal. */
    protected static final Duration HANG = Duration.ofSeconds(60);
    /** How long a child that is already ending may take to disappear. */
    protected static final Duration SETTLE = Duration.ofSeconds(10);

    /** Joins {@code p} (already started) within {@link #HANG}; returns its exit code (a child still running is killed, and fails the test). */
    protected static int joined(Process p) throws InterruptedException {
        p.join(HANG);
        if (p.isAlive()) {
            p.kill();
            p.join(SETTLE);
            throw new AssertionError("child still running after " + HANG + " (killed now): " + p);
        }
        return p.exitCode();
    }

    private Set<Long> descendantsBefore;
    private Set<Path> runtimeFilesBefore;
    private ShmLeaks shmLeaks;

    @BeforeEach
    void recordResources() {
        descendantsBefore = descendants();
        runtimeFilesBefore = runtimeFiles();
        shmLeaks = ShmLeaks.watch();
    }

    @AfterEach
    void assertNothingLeaked() throws InterruptedException {
        try {
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
            // NOTE: not every new file in /dev/shm: other builds on the machine make and leave theirs meanwhile
            // NOTE: polled like the processes: a creator's queue file goes once its children have ended, on the
            // thread that saw the last end, which may come just after the test's join returned
            Set<Path> shm;
            while (!(shm = shmLeaks.leaked()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (!shm.isEmpty()) {
                fail("test left files in /dev/shm: " + shm);
            }
        } finally {
            shmLeaks.stop();
        }
    }

    /**
     * The {@code /dev/shm} files of this JVM's process tree (named {@code mp4j-<this pid>-<start>-...}): this
     * JVM is the root of the children its tests start. Files of other trees (other builds on the machine,
     * which make and remove theirs at any time) are left out.
     */
    static Set<Path> thisTreesShmFiles() {
        String prefix = "mp4j-" + ProcessHandle.current().pid() + "-";
        Set<Path> files = list(Path.of("/dev/shm"));
        files.removeIf(p -> !p.getFileName().toString().startsWith(prefix));
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
