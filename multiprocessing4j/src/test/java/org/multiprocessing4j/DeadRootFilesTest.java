package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multiprocessing4j.internal.shm.ShmNames;

/**
 * The shared-memory files of a process tree whose root was killed with SIGKILL (so none of its cleanup ran)
 * stay while nothing else happens, keep what was in them, and are removed by the next root JVM that uses
 * shared memory; a handle of that tree used after that says its file is gone. End to end, with independent
 * root JVMs ({@link DeadRootMain}).
 */
class DeadRootFilesTest extends ChildProcessTestBase {

    @ParameterizedTest(name = "the next root: {0}")
    @ValueSource(strings = {"touch", "touch-shared-memory"})
    void the_files_of_a_killed_tree_keep_their_data_until_the_next_root_sweeps_them_and_its_handles_then_say_gone(String nextRoot)
            throws Exception {
        java.lang.Process root = start("rings");
        List<Path> files = List.of();
        long childPid = -1;
        try {
            String handle = null;
            BufferedReader out = new BufferedReader(new InputStreamReader(root.getInputStream()));
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                if (line.startsWith("handle ")) {
                    handle = line.substring(7);
                } else if (line.startsWith("child ")) {
                    childPid = Long.parseLong(line.substring(6));
                }
            }
            if (handle == null || childPid < 0) {
                fail("the root JVM ended before it was ready (exit " + root.waitFor() + ")");
            }
            files = filesOf(root.pid());
            assertFalse(files.isEmpty(), "the root made its queue, pipe and lock in /dev/shm");

            root.toHandle().destroyForcibly();
            assertTrue(root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS));
            long deadline = System.nanoTime() + HANG.toNanos();
            while (NoOrphansTest.alive(childPid)) {
                assertTrue(System.nanoTime() < deadline, "the root's child outlived it");
                Thread.sleep(10);
            }
            for (Path f : files) {
                assertTrue(Files.exists(f), "SIGKILL runs no cleanup: " + f);
            }

            try (Queue<String> left = decode(handle)) {
                assertEquals(DeadRootMain.ITEM, left.get(), "what the dead root put is still there");
            }

            java.lang.Process next = start(nextRoot); // a queue, or only a SharedMemory segment
            assertTrue(next.waitFor(HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, next.exitValue());
            for (Path f : files) {
                assertFalse(Files.exists(f), "the next root swept the dead tree's file " + f);
            }
            Queue<String> gone = decode(handle);
            IllegalStateException e = assertThrows(IllegalStateException.class, gone::getNowait);
            assertTrue(e.getMessage().contains("gone"), e.getMessage());
            gone.close();
        } finally {
            root.toHandle().destroyForcibly();
            root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
            if (childPid > 0) {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            ShmNames.sweepDeadTrees(ShmNames.DIRECTORY);
        }
    }

    private static List<Path> filesOf(long rootPid) throws IOException {
        try (Stream<Path> all = Files.list(ShmNames.DIRECTORY)) {
            return new ArrayList<>(all.filter(p -> p.getFileName().toString().startsWith(ShmNames.PREFIX + rootPid + "-")).toList());
        }
    }

    @SuppressWarnings("unchecked")
    private static Queue<String> decode(String base64) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return (Queue<String>) in.readObject();
        }
    }

    private static java.lang.Process start(String mode) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                DeadRootMain.class.getName(), mode);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
