package org.multiprocessing4j.internal.pipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The creating process's record of one pipe: its ring files, whether an end ever left this process
 * (was serialized), and how many of its two ends here are still open. When both are closed and no end
 * was ever serialized, nobody else can know the files, so they are unlinked at once. Thread-safe.
 */
final class PipeOrigin {
    private final List<Path> files;
    private boolean exported;
    private int open = 2;

    PipeOrigin(List<Path> files) {
        this.files = List.copyOf(files);
    }

    /** An end is being serialized: its files may be needed elsewhere. */
    synchronized void exported() {
        exported = true;
    }

    /** One of the two ends here was closed. */
    void endClosed() {
        synchronized (this) {
            if (--open != 0 || exported) {
                return;
            }
        }
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException bestEffort) {
                // the tree sweep at exit removes it
            }
        }
    }
}
