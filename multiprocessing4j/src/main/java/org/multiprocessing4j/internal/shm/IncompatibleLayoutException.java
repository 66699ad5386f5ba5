package org.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown on attach when a shared file's header is not what this library expects: not one of our files
 * (wrong magic), written by another layout version, or with sizes that contradict the file. The message
 * names the file, the field, and the value found against the value expected.
 */
public final class IncompatibleLayoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public IncompatibleLayoutException(Path file, String what) {
        super(file + ": " + what);
    }
}
