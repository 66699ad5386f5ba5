package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the example tests, which run each example for real (child JVMs, shared memory): after each test
 * it fails the test if the example left a child JVM running (and ends it, by pid), a per-child thread of
 * the library, or a file of the library in {@code /dev/shm} beyond what was there before (only files of
 * this JVM's process trees: see {@link ShmLeaks}). The examples
 * module sees only the public API, so this is a small copy of the core module's {@code ChildProcessTestBase}
 * checks, without its look into the library's runtime directory.
 */
abstract class ExampleTestBase {
    /** Generous bound that turns a hang into a failure; never a timing goal. */
    static final Duration HANG = Duration.ofSeconds(60);
    /** How long children that are already ending may take to disappear. */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    /** Where a test lets its example print: kept for the assertions and echoed to the test's log. */
    final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    private Set<Long> descendantsBefore;
    private ShmLeaks shmLeaks;

    @BeforeEach
    void recordResources() {
        descendantsBefore = descendants();
        shmLeaks = ShmLeaks.watch();
    }

    @AfterEach
    void assertNothingLeaked() throws InterruptedException {
        try {
            System.out.print(output()); // the example's report, for the surefire log
            long deadline = System.nanoTime() + SETTLE.toNanos();
            Set<Long> leaked;
            while (!(leaked = newDescendants()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (!leaked.isEmpty()) {
                leaked.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                fail("example left child JVMs running (killed now): " + leaked);
            }
            List<String> threads;
            while (!(threads = perChildThreads()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (!threads.isEmpty()) {
                fail("example left per-child threads running: " + threads);
            }
            // NOTE: not every new file in /dev/shm: other builds on the machine make and leave theirs meanwhile
            // (a CI run once failed here on another build's SIGKILLed root's files and on its named segment)
            Set<Path> shm = shmLeaks.leaked();
            if (!shm.isEmpty()) {
                fail("example left files in /dev/shm: " + shm);
            }
        } finally {
            shmLeaks.stop();
        }
    }

    /** What the example printed to {@link #out} so far. */
    final String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private Set<Long> newDescendants() {
        Set<Long> now = descendants();
        now.removeAll(descendantsBefore);
        return now;
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toCollection(HashSet::new));
    }

    /** Threads the library keeps per child JVM (its output pumps and link watchers); they end with the child. */
    private static List<String> perChildThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("mp4j-stdout-") || n.startsWith("mp4j-stderr-") || n.startsWith("mp4j-link-"))
                .toList();
    }
}
