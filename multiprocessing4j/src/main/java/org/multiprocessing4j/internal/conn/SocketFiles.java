package org.multiprocessing4j.internal.conn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.internal.launch.ExitSequence;

/**
 * The Unix-domain socket files of this JVM's open listeners, removed when the JVM exits normally if their
 * listener was never closed (as CPython's listener finalizer does at exit). A listener at a path of its
 * own choosing lives outside the process tree's directory, which the library's sweep would otherwise clear.
 * Thread-safe.
 */
public final class SocketFiles {
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private SocketFiles() {
    }

    /** Records {@code file}, bound by a listener now open: removed at exit unless {@link #closed} first. */
    public static void opened(Path file) {
        if (!hooked) {
            synchronized (SocketFiles.class) {
                if (!hooked) {
                    ExitSequence.add(ExitSequence.Phase.RUNTIME_FILES, SocketFiles::atExit);
                    hooked = true;
                }
            }
        }
        OPEN.add(file);
    }

    /** Forgets {@code file} and removes it: its listener closed. */
    public static void closed(Path file) throws IOException {
        OPEN.remove(file);
        Files.deleteIfExists(file);
    }

    private static void atExit() {
        for (Path file : OPEN) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // exiting anyway
            }
        }
    }
}
