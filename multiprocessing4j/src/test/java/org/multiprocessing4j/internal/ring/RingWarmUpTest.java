package org.multiprocessing4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * The warm-up's temporary file: unlinked as soon as it is mapped, and the files of JVMs killed before that
 * (a child killed while it boots) swept by the next warm-up.
 */
class RingWarmUpTest extends ChildProcessTestBase {

    @Test
    void a_warm_up_leaves_no_file_of_its_own_in_the_temp_directory() throws Exception {
        RingWarmUp.run();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> files = Files.list(tmp)) {
            List<Path> mine = files.filter(f -> f.getFileName().toString()
                    .startsWith(RingWarmUp.PREFIX + ProcessHandle.current().pid() + "-")).toList();
            assertEquals(List.of(), mine);
        }
    }

    @Test
    void the_sweep_deletes_the_files_of_dead_jvms_and_old_unnamed_ones_and_keeps_the_rest(@TempDir Path dir) throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        Path dead = Files.createFile(dir.resolve(RingWarmUp.PREFIX + ended.pid() + "-456.map"));
        Path live = Files.createFile(dir.resolve(RingWarmUp.PREFIX + ProcessHandle.current().pid() + "-123.map"));
        Path oldUnnamed = Files.createFile(dir.resolve(RingWarmUp.PREFIX + "789.map"));
        Files.setLastModifiedTime(oldUnnamed, FileTime.from(Instant.now().minus(Duration.ofMinutes(11))));
        Path freshUnnamed = Files.createFile(dir.resolve(RingWarmUp.PREFIX + "790.map"));
        Path other = Files.createFile(dir.resolve("other.map"));

        assertEquals(2, RingWarmUp.sweepStaleFiles(dir));

        assertFalse(Files.exists(dead), "a dead JVM's file");
        assertFalse(Files.exists(oldUnnamed), "an old file without a pid");
        assertTrue(Files.exists(live), "a live JVM's file");
        assertTrue(Files.exists(freshUnnamed), "a recent file without a pid");
        assertTrue(Files.exists(other), "not a warm-up file");
    }

    /** Children killed with SIGKILL while they boot (and warm up) leave no warm-up file once the next one ran. */
    @Test
    void children_killed_while_they_boot_leave_no_warm_up_file_after_the_next_warm_up() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before = warmUpFiles(tmp);
        for (int i = 0; i < 6; i++) {
            org.multiprocessing4j.Process child = new org.multiprocessing4j.Process(() -> { });
            child.start();
            Thread.sleep(i * 40L); // NOTE: kills land at different points of the child's boot
            child.kill();
            child.join(HANG);
        }
        RingWarmUp.run();
        java.util.Set<Path> left = warmUpFiles(tmp);
        left.removeAll(before);
        assertEquals(java.util.Set.of(), left);
    }

    private static java.util.Set<Path> warmUpFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(RingWarmUp.PREFIX))
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }
}
