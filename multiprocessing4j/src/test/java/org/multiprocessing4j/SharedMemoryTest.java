package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.sharedmem.SegmentRemoval;

/** SharedMemory: names, attach, handles, bad input, and the lifetime rule with real JVMs and SIGKILL. */
class SharedMemoryTest extends ChildProcessTestBase {

    static String uniqueName(String what) {
        return "test-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    static Path file(String name) {
        return Path.of("/dev/shm/mp4j-shm-" + name);
    }

    @Test
    void a_child_attaches_by_name_and_sees_the_parents_bytes_and_the_parent_sees_the_childs() throws Exception {
        String name = uniqueName("byname");
        try (SharedMemory shm = SharedMemory.create(name, 8192)) {
            try {
                shm.segment().set(JAVA_LONG, 0, 0x1122334455667788L);
                Process child = new Process(checked(() -> {
                    try (SharedMemory mine = SharedMemory.attach(name)) {
                        if (mine.size() != 8192 || mine.segment().get(JAVA_LONG, 0) != 0x1122334455667788L) {
                            throw new IllegalStateException("child saw " + mine.size() + " bytes, first long "
                                    + mine.segment().get(JAVA_LONG, 0));
                        }
                        mine.segment().set(JAVA_INT, 8188, 77);
                    }
                }));
                assertEquals(0, run(child));
                assertEquals(77, shm.segment().get(JAVA_INT, 8188));
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void a_captured_handle_attaches_the_child_to_the_same_memory() throws Exception {
        try (SharedMemory shm = SharedMemory.create(4096)) {
            try {
                assertTrue(shm.name().matches("psm_[0-9a-f]{16}"), shm.name());
                assertEquals(4096, shm.size());
                for (long i = 0; i < 4096; i += 8) {
                    assertEquals(0, shm.segment().get(JAVA_LONG, i), "zero-filled");
                }
                shm.segment().set(JAVA_BYTE, 100, (byte) 5);
                Process child = new Process(checked(() -> {
                    byte seen = shm.segment().get(JAVA_BYTE, 100);
                    shm.segment().set(JAVA_BYTE, 101, (byte) (seen + 1));
                    shm.close();
                }));
                assertEquals(0, run(child));
                assertEquals(6, shm.segment().get(JAVA_BYTE, 101));
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void a_handle_whose_segment_was_unlinked_or_replaced_fails_on_first_use_naming_it() throws Exception {
        String name = uniqueName("replaced");
        SharedMemory copy;
        try (SharedMemory first = SharedMemory.create(name, 64)) {
            copy = SharedValueTest.roundTrip(first);
            first.unlink();
        }
        IllegalStateException gone = assertThrows(IllegalStateException.class, copy::segment);
        assertTrue(gone.getMessage().contains(name) && gone.getMessage().contains("unlinked"), gone.getMessage());
        SharedMemory other = SharedValueTest.roundTrip(copy);
        try (SharedMemory second = SharedMemory.create(name, 64)) {
            try {
                IllegalStateException replaced = assertThrows(IllegalStateException.class, other::segment);
                assertTrue(replaced.getMessage().contains("another segment"), replaced.getMessage());
                other.unlink(); // a stale handle never removes the newer segment
                assertTrue(Files.exists(file(name)));
            } finally {
                second.unlink();
            }
        }
    }

    @Test
    void create_of_an_existing_name_throws_FileAlreadyExistsException_and_attach_of_a_missing_one_NoSuchFileException()
            throws Exception {
        String name = uniqueName("exists");
        try (SharedMemory shm = SharedMemory.create(name, 100)) {
            try {
                FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> SharedMemory.create(name, 100));
                assertTrue(e.getMessage().contains(name), e.getMessage());
            } finally {
                shm.unlink();
            }
        }
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> SharedMemory.attach(name));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void bad_sizes_and_names_are_refused_with_the_bad_value_in_the_message() {
        for (long size : new long[] {0, -1, Long.MIN_VALUE, 1L << 50}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(size));
            assertTrue(e.getMessage().contains(Long.toString(size)), e.getMessage());
        }
        for (String name : new String[] {"", "a/b", "../x", ".hidden", "x".repeat(201), "sp ace"}) {
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, 10), name);
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.attach(name), name);
        }
        assertThrows(NullPointerException.class, () -> SharedMemory.attach(null));
    }

    @Test
    void attaching_to_a_segment_of_another_layout_version_fails_naming_both_versions() throws Exception {
        String name = uniqueName("version");
        try (SharedMemory shm = SharedMemory.create(name, 64)) {
            try (FileChannel raw = FileChannel.open(file(shm.name()), StandardOpenOption.WRITE)) {
                raw.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 99), 8);
            }
            IOException e = assertThrows(IOException.class, () -> SharedMemory.attach(name));
            assertTrue(e.getMessage().contains("version 99") && e.getMessage().contains("version 1"), e.getMessage());
            assertTrue(e.getMessage().contains(name), e.getMessage());
        } finally {
            Files.deleteIfExists(file(name));
        }
    }

    @Test
    void after_unlink_nobody_can_attach_but_existing_mappings_keep_working() throws Exception {
        String name = uniqueName("unlink");
        try (SharedMemory a = SharedMemory.create(name, 64); SharedMemory b = SharedMemory.attach(name)) {
            a.unlink();
            assertFalse(Files.exists(file(name)));
            assertThrows(NoSuchFileException.class, () -> SharedMemory.attach(name));
            a.segment().set(JAVA_INT, 0, 9);
            assertEquals(9, b.segment().get(JAVA_INT, 0));
            a.unlink(); // idempotent
            b.unlink();
        }
    }

    @Test
    void a_segment_outlives_every_close_while_its_creators_tree_runs_and_closed_views_refuse_access() throws Exception {
        String name = uniqueName("outlives");
        SharedMemory shm = SharedMemory.create(name, 64);
        try {
            shm.segment().set(JAVA_INT, 0, 123);
            java.lang.foreign.MemorySegment view = shm.segment();
            shm.close();
            shm.close();
            assertThrows(IllegalStateException.class, () -> view.get(JAVA_INT, 0));
            assertThrows(IllegalStateException.class, shm::segment);
            Process child = new Process(checked(() -> {
                try (SharedMemory again = SharedMemory.attach(name)) {
                    if (again.segment().get(JAVA_INT, 0) != 123) {
                        throw new IllegalStateException("lost the value");
                    }
                }
            }));
            assertEquals(0, run(child));
            assertTrue(Files.exists(file(name)), "the creator's tree still runs");
        } finally {
            shm.unlink();
        }
        assertFalse(Files.exists(file(name)));
    }

    @Test
    void a_segment_whose_creator_tree_was_killed_stays_while_someone_uses_it_and_goes_with_the_last_close()
            throws Exception {
        String name = uniqueName("killed-used");
        java.lang.Process root = startRoot("create", name);
        try {
            awaitReady(root);
            SharedMemory shm = SharedMemory.attach(name);
            assertEquals(42, shm.segment().get(JAVA_BYTE, 0));
            root.toHandle().destroyForcibly();
            root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
            SegmentRemoval.sweep(false);
            assertTrue(Files.exists(file(name)), "CPython's tracker would unlink it now; we are still attached");
            try (SharedMemory second = SharedMemory.attach(name)) {
                assertEquals(42, second.segment().get(JAVA_BYTE, 0));
            }
            assertTrue(Files.exists(file(name)), "one attachment of this process remains");
            shm.close();
            assertFalse(Files.exists(file(name)), "the last close after the creator's tree ended removes it");
        } finally {
            root.toHandle().destroyForcibly();
            Files.deleteIfExists(file(name));
        }
    }

    @Test
    void a_segment_whose_creator_tree_was_killed_is_removed_by_the_next_JVM_that_uses_shared_memory() throws Exception {
        String name = uniqueName("killed-swept");
        java.lang.Process root = startRoot("create", name);
        try {
            awaitReady(root);
            root.toHandle().destroyForcibly();
            root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(Files.exists(file(name)), "SIGKILL ran no cleanup");
            java.lang.Process next = startRoot("touch");
            assertEquals(0, next.waitFor(HANG.toSeconds(), TimeUnit.SECONDS) ? next.exitValue() : -1);
            assertFalse(Files.exists(file(name)), "the next start swept it");
        } finally {
            root.toHandle().destroyForcibly();
            Files.deleteIfExists(file(name));
        }
    }

    @Test
    void a_normal_exit_of_the_creating_root_removes_its_trees_unused_segments_but_not_one_still_attached()
            throws Exception {
        String rootName = uniqueName("root-exit");
        String childName = uniqueName("child-made");
        java.lang.Process root = startRoot("create", rootName, childName);
        try {
            awaitReady(root);
            assertTrue(Files.exists(file(childName)), "a child's segment lives while its tree runs");
            try (SharedMemory held = SharedMemory.attach(rootName)) {
                root.getOutputStream().write('\n');
                root.getOutputStream().flush();
                assertEquals(0, root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS) ? root.exitValue() : -1);
                assertFalse(Files.exists(file(childName)), "unused: removed at the root's exit");
                assertTrue(Files.exists(file(rootName)), "still attached here: kept");
                assertEquals(42, held.segment().get(JAVA_BYTE, 0));
            }
            assertFalse(Files.exists(file(rootName)), "removed by the last close");
        } finally {
            root.toHandle().destroyForcibly();
            for (String n : List.of(rootName, childName)) {
                Files.deleteIfExists(file(n));
            }
        }
    }

    @Test
    void attachments_are_counted_per_object_and_a_killed_attacher_does_not_keep_a_segment_alive() throws Exception {
        String name = uniqueName("counted");
        java.lang.Process root = startRoot("create", name);
        try {
            awaitReady(root);
            Queue<String> ready = new Queue<>();
            try (ready) {
                Process attacher = new Process(checked(() -> {
                    SharedMemory.attach(name);
                    ready.put("attached");
                    Thread.sleep(HANG.toMillis());
                }));
                attacher.start();
                assertEquals("attached", ready.get(HANG));
                root.toHandle().destroyForcibly();
                root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
                SegmentRemoval.sweep(false);
                assertTrue(Files.exists(file(name)), "a live child of ours is attached");
                attacher.kill();
                attacher.join(HANG);
                SegmentRemoval.sweep(false);
                assertFalse(Files.exists(file(name)), "its attacher died by SIGKILL: nobody uses it");
            }
        } finally {
            root.toHandle().destroyForcibly();
            Files.deleteIfExists(file(name));
        }
    }

    private static java.lang.Process startRoot(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                SharedMemoryRootMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitReady(java.lang.Process root) throws IOException, InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(root.getInputStream()));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.equals("ready")) {
                return;
            }
        }
        fail("the independent root JVM ended before it was ready (exit " + root.waitFor() + ")");
    }
}
