package org.multiprocessing4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The library's files in {@code /dev/shm} that one test left: those that appeared while it ran and belong
 * to this JVM's process trees. Made with {@link #watch()} before the test; {@link #leaked()} after it.
 *
 * <p>Other processes on the machine (other builds, probes, benchmarks) make and remove such files at any
 * time, and the root JVMs of their tests may be SIGKILLed, leaving their files until the next sweep. A file
 * counts as this test's only if its name says it is of this JVM or of a process that was its descendant
 * while the test ran (sampled every {@value #SAMPLE_MS} ms on a daemon thread: a JVM lives far longer
 * before it makes a file): tree files {@code mp4j-<rootPid>-<rootStart>-...} by their root, warm-up files
 * {@code mp4j-warm-up-<pid>-...} by their maker. A name that carries no pid (a named segment,
 * {@code mp4j-shm-<name>}) counts unless a live process that is not ours has it mapped. Not thread-safe.
 */
final class ShmLeaks {
    private static final Path SHM = Path.of("/dev/shm");
    private static final long SAMPLE_MS = 100;
    private static final Pattern TREE_FILE = Pattern.compile("mp4j-(\\d+)-\\d+-.*");
    private static final Pattern WARM_UP_FILE = Pattern.compile("mp4j-warm-up-(\\d+)-.*");
    /**
     * A named segment of a test ({@code SharedMemoryTest.uniqueName}: {@code test-<what>-<pid>-<nanoTime>}), by the
     * pid of the JVM that made it: another build's (seen on a machine running several) is not ours even when no
     * process has it mapped at the moment we look (made, not yet mapped; or unmapped, not yet unlinked).
     */
    private static final Pattern TEST_SEGMENT = Pattern.compile("mp4j-shm-test-.*-(\\d+)-\\d+");

    private final Set<Path> before;
    private final Set<Long> ours = ConcurrentHashMap.newKeySet();
    private final Thread sampler;
    private volatile boolean stopped;

    private ShmLeaks() {
        before = libraryFiles();
        ours.add(ProcessHandle.current().pid());
        sample();
        sampler = Thread.ofPlatform().daemon().name("test-shm-leaks-sampler").start(() -> {
            while (!stopped) {
                sample();
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Records the files there now and starts noting this JVM's descendants. */
    static ShmLeaks watch() {
        return new ShmLeaks();
    }

    /** Stops the sampling; returns the files that appeared since {@link #watch()} and are this JVM's trees'. */
    Set<Path> leaked() throws InterruptedException {
        stop();
        sample();
        Set<Path> files = libraryFiles();
        files.removeAll(before);
        files.removeIf(f -> !ours(f) || !Files.exists(f)); // NOTE: gone meanwhile: its maker removed it
        return files;
    }

    /** Stops the sampling thread (idempotent). */
    void stop() throws InterruptedException {
        stopped = true;
        sampler.interrupt();
        sampler.join();
    }

    private void sample() {
        ProcessHandle.current().descendants().forEach(d -> ours.add(d.pid()));
    }

    private boolean ours(Path file) {
        String name = file.getFileName().toString();
        for (Pattern withPid : new Pattern[] {TREE_FILE, WARM_UP_FILE, TEST_SEGMENT}) {
            Matcher m = withPid.matcher(name);
            if (m.matches()) {
                return ours.contains(Long.parseLong(m.group(1)));
            }
        }
        return !mappedByAnother(file);
    }

    /** True if a live process that is neither this JVM nor a descendant seen has {@code file} mapped. */
    private boolean mappedByAnother(Path file) {
        String path = file.toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> !ours.contains(Long.parseLong(p.getFileName().toString())))
                    .anyMatch(p -> {
                        try (Stream<String> maps = Files.lines(p.resolve("maps"))) {
                            return maps.anyMatch(line -> line.endsWith(path));
                        } catch (IOException | java.io.UncheckedIOException gone) {
                            return false; // ended meanwhile, or not ours to read
                        }
                    });
        } catch (IOException e) {
            return false;
        }
    }

    /** Every file of the library in {@code /dev/shm}, whoever made it. */
    static Set<Path> libraryFiles() {
        if (!Files.isDirectory(SHM)) {
            return new HashSet<>();
        }
        try (Stream<Path> s = Files.list(SHM)) {
            return s.filter(p -> p.getFileName().toString().startsWith("mp4j-")).collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            return new HashSet<>();
        }
    }
}
