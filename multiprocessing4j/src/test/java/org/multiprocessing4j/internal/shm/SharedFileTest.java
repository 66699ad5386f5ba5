package org.multiprocessing4j.internal.shm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

class SharedFileTest extends ChildProcessTestBase {

    @Test
    void create_makes_a_zeroed_0600_file_in_dev_shm_with_an_unguessable_mp4j_name() throws Exception {
        try (SharedFile file = SharedFile.create(8192)) {
            Path path = file.path();
            try {
                assertEquals(ShmNames.DIRECTORY, path.getParent());
                assertTrue(ShmNames.isOurs(path), path.toString());
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
                assertEquals(8192, Files.size(path));
                assertEquals(8192, file.size());
                assertEquals(0, file.segment().address() % 4096, "page-aligned");
                for (long i = 0; i < 8192; i += 8) {
                    assertEquals(0, file.segment().get(JAVA_LONG, i));
                }
            } finally {
                file.unlink();
            }
        }
    }

    @Test
    void create_allocates_every_page_of_files_larger_than_its_zero_chunk_one_after_another() throws Exception {
        long size = (5L << 19) + 4096; // 2.5 MiB and a page: more than one write of the shared zeros, and a partial last one
        for (int i = 0; i < 3; i++) {
            try (SharedFile file = SharedFile.create(size)) {
                try {
                    // NOTE: blocks allocated, not the length: a mapping would extend a short file as a sparse one
                    Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.path().toString()).start();
                    String[] blocks = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
                    assertEquals(0, stat.waitFor());
                    assertTrue(Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]) >= size,
                            "allocated " + String.join(" x ", blocks) + " bytes of " + size);
                    for (long at = 0; at < size; at += 4096) {
                        assertEquals(0, file.segment().get(JAVA_LONG, at));
                    }
                    file.segment().fill((byte) 1); // NOTE: the next file must still start as zeros
                } finally {
                    file.unlink();
                }
            }
        }
    }

    @Test
    void two_names_made_in_a_row_differ() {
        assertFalse(ShmNames.newPath().equals(ShmNames.newPath()));
    }

    @Test
    void an_attached_mapping_shares_the_creators_bytes_both_ways() throws Exception {
        try (SharedFile a = SharedFile.create(4096)) {
            try (SharedFile b = SharedFile.attach(a.path())) {
                a.segment().set(JAVA_LONG, 64, 42L);
                assertEquals(42L, b.segment().get(JAVA_LONG, 64));
                b.segment().set(JAVA_LONG, 128, 7L);
                assertEquals(7L, a.segment().get(JAVA_LONG, 128));
            } finally {
                a.unlink();
            }
        }
    }

    /**
     * A named segment's attach gives its creator a settling time per file, and tells files apart with
     * sameFileAs. Inode numbers alone fail where a file system reuses a freed one at once (a name made and
     * removed in a loop then looked like one file that never settled, and the attach failed as abandoned):
     * a file changed in between must read as another file.
     */
    @Test
    void sameFileAs_holds_for_an_unchanged_file_and_not_after_a_change_or_for_another_file() throws Exception {
        try (SharedFile created = SharedFile.create(4096)) {
            try (SharedFile first = SharedFile.attachUnfinished(created.path());
                 SharedFile again = SharedFile.attachUnfinished(created.path())) {
                assertTrue(again.sameFileAs(first), "the same file, unchanged");
                assertFalse(again.sameFileAs(null));
                assertFalse(created.sameFileAs(created), "a file this JVM created has no identity to compare");
                Thread.sleep(20);
                Files.setPosixFilePermissions(created.path(), PosixFilePermissions.fromString("rw-------"));
                try (SharedFile changed = SharedFile.attachUnfinished(created.path())) {
                    assertFalse(changed.sameFileAs(first), "the file's status changed since: its inode alone is not enough");
                }
                try (SharedFile other = SharedFile.create(4096);
                     SharedFile otherAttached = SharedFile.attachUnfinished(other.path())) {
                    other.unlink();
                    assertFalse(otherAttached.sameFileAs(first));
                }
            } finally {
                created.unlink();
            }
        }
    }

    @Test
    void after_unlink_the_mapping_still_works_but_attach_throws_NoSuchFileException() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            assertTrue(file.unlink());
            assertFalse(file.unlink(), "idempotent");
            file.segment().set(JAVA_LONG, 0, 1L);
            assertEquals(1L, file.segment().get(JAVA_LONG, 0));
            assertThrows(NoSuchFileException.class, () -> SharedFile.attach(file.path()));
        }
    }

    @Test
    void close_is_idempotent_and_a_later_access_throws_IllegalStateException() throws Exception {
        SharedFile file = SharedFile.create(4096);
        file.unlink();
        file.close();
        file.close();
        assertFalse(file.isMapped());
        assertThrows(IllegalStateException.class, () -> file.segment().get(JAVA_LONG, 0));
    }

    @Test
    void create_refuses_a_path_that_exists() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            try {
                assertThrows(FileAlreadyExistsException.class, () -> SharedFile.create(file.path(), 4096));
                assertTrue(Files.exists(file.path()), "the existing file is left alone");
            } finally {
                file.unlink();
            }
        }
    }

    @Test
    void the_sweep_removes_files_of_dead_trees_and_keeps_those_of_live_ones() throws Exception {
        Path dir = Files.createTempDirectory("shm-sweep");
        try {
            java.lang.Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            ProcessStamp me = ProcessStamp.self();
            String random = "0123456789abcdef0123456789abcdef";
            Path dead = Files.createFile(dir.resolve("mp4j-" + gone.pid() + "-1-" + random));
            Path reused = Files.createFile(dir.resolve("mp4j-" + me.pid() + "-" + (me.startMillis() + 1) + "-" + random));
            Path live = Files.createFile(dir.resolve("mp4j-" + me.pid() + "-" + me.startMillis() + "-" + random));
            Path other = Files.createFile(dir.resolve("mp4j-not-ours"));
            assertEquals(2, ShmNames.sweepDeadTrees(dir));
            assertFalse(Files.exists(dead));
            assertFalse(Files.exists(reused), "same pid, other start time: another tree");
            assertTrue(Files.exists(live));
            assertTrue(Files.exists(other));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
