package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.launch.RuntimeDirectory;

/**
 * Corners of docs/security.md's promises. The default runtime base, {@code <java.io.tmpdir>/mp4j-<user>}, has a
 * name anyone can predict in a directory anyone can write: another user can make it first. The machine runs the
 * tests as root, so "another user" is a directory handed to uid 65534 (nobody) with {@code chown}.
 */
class SecurityCornersTest {
    private static final String NOBODY = "65534";

    @Test
    void a_runtime_base_made_first_by_another_user_is_refused(@TempDir Path dir) throws Exception {
        // NOTE: it was taken as it was: the owner of the base can rename our 0700 tree directory away and put a
        // directory of its own under its name, into which our sockets are then bound
        Path base = dir.resolve("mp4j-victim");
        Files.createDirectory(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
        chown(NOBODY, base);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> createTreeUnder(base));
        assertTrue(e.getMessage().contains(base.toString()), e.getMessage());
        assertEquals(0, children(base), "nothing was made in the other user's directory");
    }

    @Test
    void a_runtime_base_that_is_a_symbolic_link_to_another_users_directory_is_refused(@TempDir Path dir) throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
        chown(NOBODY, theirs);
        Path base = Files.createSymbolicLink(dir.resolve("mp4j-victim"), theirs);
        assertThrows(UncheckedIOException.class, () -> createTreeUnder(base));
        assertEquals(0, children(theirs), "nothing was made in the other user's directory");
    }

    @Test
    void a_runtime_base_that_others_may_write_is_refused(@TempDir Path dir) throws Exception {
        Path base = Files.createDirectory(dir.resolve("mp4j-victim"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(UncheckedIOException.class, () -> createTreeUnder(base));
        assertEquals(0, children(base));
    }

    @Test
    void a_private_runtime_base_of_ours_is_used_and_a_missing_one_is_made_0700(@TempDir Path dir) throws Exception {
        Path made = dir.resolve("made-by-the-library");
        Path tree = createTreeUnder(made);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tree)));
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Files.setPosixFilePermissions(ours, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(ours, createTreeUnder(ours).getParent());
    }

    private static Path createTreeUnder(Path base) {
        return withRuntimeBase(base, RuntimeDirectory::createTree);
    }

    private static <T> T withRuntimeBase(Path base, Supplier<T> call) {
        String before = System.getProperty(Configuration.RUNTIME_DIR);
        System.setProperty(Configuration.RUNTIME_DIR, base.toString());
        try {
            return call.get();
        } finally {
            if (before == null) {
                System.clearProperty(Configuration.RUNTIME_DIR);
            } else {
                System.setProperty(Configuration.RUNTIME_DIR, before);
            }
        }
    }

    private static void chown(String uid, Path path) throws IOException, InterruptedException {
        java.lang.Process chown = new ProcessBuilder("chown", "-h", uid, path.toString()).inheritIO().start();
        assertEquals(0, chown.waitFor(), "chown " + uid + " " + path);
    }

    private static long children(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.count();
        }
    }
}
