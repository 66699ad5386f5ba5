package org.multiprocessing4j.internal.pipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The creating process's record of one pipe: its ring files and, for each of its two ends here (side 0 is
 * the left end, 1 the right), whether it ever left this process (was serialized) and whether it is
 * closed. It answers two questions: must an end closed here unused still be closed in the rings (so that
 * the other end sees it gone), and may the files be unlinked (both ends closed, none ever serialized:
 * nobody else can know them). Thread-safe.
 */
final class PipeOrigin {
    static final int LEFT = 0;
    static final int RIGHT = 1;

    private final List<Path> files;
    /** Serializations of each end, less those whose child never started ({@link #withdrawn}). */
    private final int[] exported = new int[2];
    private final boolean[] closed = new boolean[2];

    PipeOrigin(List<Path> files) {
        this.files = List.copyOf(files);
    }

    /** The end at {@code side} is being serialized: a copy of it, and its files, may be used elsewhere. */
    synchronized void exported(int side) {
        exported[side]++;
    }

    /** A serialization of the end at {@code side} went into a child that never started: as if it had not happened. */
    synchronized void withdrawn(int side) {
        if (exported[side] > 0) {
            exported[side]--;
        }
    }

    /**
     * The end at {@code side}, never used here, is being closed: true if its ring ends must be claimed and
     * closed all the same. That is so when it never left this process (this object is then the only copy
     * that could ever use it, so nobody else will close it) and the other end may still be used (it is
     * open here, or a copy of it went elsewhere); false when another process may still claim this end, or
     * when nobody is left to notice.
     */
    synchronized boolean mustCloseUnused(int side) {
        int other = 1 - side;
        return exported[side] == 0 && (!closed[other] || exported[other] > 0);
    }

    /** The end at {@code side} was closed here; unlinks the files once both are and neither was serialized. */
    void endClosed(int side) {
        synchronized (this) {
            closed[side] = true;
            if (!closed[LEFT] || !closed[RIGHT] || exported[LEFT] > 0 || exported[RIGHT] > 0) {
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
