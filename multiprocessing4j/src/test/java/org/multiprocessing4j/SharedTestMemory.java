package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.SharedFile;
import org.multiprocessing4j.internal.sync.SegmentSource;

/**
 * A few zero bytes of {@code /dev/shm} for tests: a plain counter that only a lock keeps exact, and a
 * region for a lock embedded in memory another object owns (as a shared value embeds its RLock). The
 * creating object unlinks the file on close; a decoded copy maps it on first use.
 */
final class SharedTestMemory implements SegmentSource, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String path;
    private transient SharedFile file;

    SharedTestMemory(long size) {
        try {
            file = SharedFile.create(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        path = file.path().toString();
    }

    @Override
    public synchronized MemorySegment segment() {
        if (file == null) {
            try {
                file = SharedFile.attach(Path.of(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file.segment();
    }

    /** A non-atomic increment of the long at {@code offset}: read, pause, write. */
    void incrementPlainly(long offset) {
        MemorySegment s = segment();
        long v = s.get(JAVA_LONG, offset);
        Thread.onSpinWait();
        s.set(JAVA_LONG, offset, v + 1);
    }

    long getLong(long offset) {
        return segment().get(JAVA_LONG, offset);
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.unlink();
            file.close();
        }
    }
}
