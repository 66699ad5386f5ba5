package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.sharedmem.SegmentRemoval;

/** SharedMemory and ShareableList attaches racing creates, and abandoned empty files, with real child JVMs. */
class SharedMemoryRaceTest extends ChildProcessTestBase {

    /**
     * attach() promises to wait for a creator that has not published its header yet; a file that exists but is
     * still empty (created, not yet filled) must not fail the attach with "empty file, not a shared segment".
     */
    @Test
    void an_attach_racing_a_create_sees_the_segment_or_no_segment_never_an_error() throws Exception {
        String name = SharedMemoryTest.uniqueName("race");
        long runMillis = 3000;
        Queue<String> report = new Queue<>();
        try (report) {
            Process attacher = new Process(ChildBodies.checked(() -> {
                long end = System.nanoTime() + Duration.ofMillis(runMillis).toNanos();
                int attached = 0;
                int missing = 0;
                String error = null;
                while (System.nanoTime() < end && error == null) {
                    try (SharedMemory shm = SharedMemory.attach(name)) {
                        shm.segment().get(JAVA_INT, 0);
                        attached++;
                    } catch (NoSuchFileException gone) {
                        missing++;
                    } catch (Exception e) {
                        error = described(e);
                    }
                }
                report.put(error == null ? "ok " + attached + "/" + missing : "error after " + attached + " attaches: " + error);
            }));
            attacher.start();
            long end = System.nanoTime() + Duration.ofMillis(runMillis).toNanos();
            int created = 0;
            while (System.nanoTime() < end && attacher.isAlive()) {
                SharedMemory shm = SharedMemory.create(name, 4096);
                shm.unlink();
                shm.close();
                created++;
            }
            String outcome = report.get(HANG);
            assertEquals(0, joined(attacher));
            System.out.println("created " + created + ", attacher: " + outcome);
            assertTrue(outcome.startsWith("ok"), outcome);
        }
    }

    /** The exception with where it was thrown, so a failure in a child names the code path, not only the message. */
    static String described(Exception e) {
        StringBuilder text = new StringBuilder(e.toString());
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            text.append("\n    at ").append(frames[i]);
        }
        return text.toString();
    }

    /**
     * A creator killed between making the segment's file and writing it leaves an empty file: the sweep
     * removes abandoned unpublished files after a minute, and must remove an empty one too, or the name stays
     * taken for ever (create: FileAlreadyExistsException; attach: "empty file").
     */
    @Test
    void an_abandoned_empty_segment_file_is_swept_like_any_unpublished_one() throws Exception {
        String name = SharedMemoryTest.uniqueName("empty");
        Path file = SharedMemoryTest.file(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
            SegmentRemoval.sweep(false);
            assertTrue(!Files.exists(file), "an empty segment file an hour old was left by the sweep");
            try (SharedMemory shm = SharedMemory.create(name, 64)) {
                shm.unlink();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** As for SharedMemory: a ShareableList attached while its creator is making it is found whole, or not at all. */
    @Test
    void a_list_attach_racing_a_list_create_sees_the_list_or_no_list_never_an_error() throws Exception {
        String name = SharedMemoryTest.uniqueName("listrace");
        long runMillis = 3000;
        Queue<String> report = new Queue<>();
        try (report) {
            Process attacher = new Process(ChildBodies.checked(() -> {
                long end = System.nanoTime() + Duration.ofMillis(runMillis).toNanos();
                int attached = 0;
                int missing = 0;
                String error = null;
                while (System.nanoTime() < end && error == null) {
                    try (ShareableList list = ShareableList.attach(name)) {
                        if (!"abc".equals(list.get(1)) || list.size() != 3) {
                            error = "read " + list;
                        }
                        attached++;
                    } catch (NoSuchFileException gone) {
                        missing++;
                    } catch (Exception e) {
                        error = described(e);
                    }
                }
                report.put(error == null ? "ok " + attached + "/" + missing : "error after " + attached + " attaches: " + error);
            }));
            attacher.start();
            long end = System.nanoTime() + Duration.ofMillis(runMillis).toNanos();
            int created = 0;
            while (System.nanoTime() < end && attacher.isAlive()) {
                ShareableList list = ShareableList.create(name, java.util.List.of(1, "abc", 2.0));
                list.unlink();
                list.close();
                created++;
            }
            String outcome = report.get(HANG);
            assertEquals(0, joined(attacher));
            System.out.println("created " + created + ", attacher: " + outcome);
            assertTrue(outcome.startsWith("ok"), outcome);
        }
    }
}
