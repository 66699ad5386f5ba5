package org.multiprocessing4j.internal.sharedmem;

import java.io.IOException;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.shm.ShmNames;
import org.multiprocessing4j.internal.shm.HandleAttach;
import org.multiprocessing4j.internal.shm.SharedFile;
import org.multiprocessing4j.internal.sync.SegmentSource;

/**
 * The {@code /dev/shm} file of one shared value or array ({@link CellsLayout}), as a serializable
 * {@link SegmentSource} (the value's embedded RLock finds its words through it): the creating process
 * maps it at once, any other process on first use.
 *
 * <p>Lifetime: {@link #close()} ends this process's use (unmaps; later accesses here throw
 * {@link IllegalStateException}); in the creating process it also removes the file's name, so processes
 * already attached keep working and processes that attach later fail. Files never closed are removed
 * with the tree's other files when its root exits, or by the next start's sweep after a SIGKILL
 * ({@link ShmNames}). Thread-safe; {@code close()} is idempotent.
 */
public final class CellsFile implements SegmentSource {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String path;
    private final CellKind kind;
    private final int length;
    private final boolean hasLock;
    /** True in the object that created the file (never in a decoded copy). */
    private final transient boolean creator;
    private transient volatile SharedFile file;
    private transient volatile boolean closed;

    private CellsFile(String path, CellKind kind, int length, boolean hasLock, SharedFile file) {
        this.path = path;
        this.kind = kind;
        this.length = length;
        this.hasLock = hasLock;
        this.file = file;
        this.creator = file != null;
    }

    /**
     * Creates the zero-filled file of {@code length} elements of {@code kind}.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the file cannot be created (a full {@code /dev/shm})
     */
    public static CellsFile create(CellKind kind, int length, boolean hasLock) {
        if (length < 0) {
            throw new IllegalArgumentException("a shared " + kind.javaName() + " array needs a length >= 0: " + length);
        }
        if (hasLock) {
            Futex.link();
        }
        SharedFile file;
        try {
            file = SharedFile.create(CellsLayout.DATA + CellsLayout.dataBytes(kind, length));
        } catch (IOException e) {
            throw new ProcessError("cannot create the shared memory of a " + kind.javaName() + " value or array: "
                    + e.getMessage(), e);
        }
        CellsLayout.initialize(file.segment(), kind, length, hasLock);
        return new CellsFile(file.path().toString(), kind, length, hasLock, file);
    }

    /** The whole file (header included) in this process, mapped on first use. */
    @Override
    public MemorySegment segment() {
        SharedFile f = file;
        if (f != null && !closed) {
            return f.segment();
        }
        return attach().segment();
    }

    /** The elements: a slice of {@link #segment()} of exactly length x element size bytes. */
    public MemorySegment data() {
        return segment().asSlice(CellsLayout.DATA, (long) length * kind.bytes());
    }

    /** The data area, padded to 8 bytes (sub-word atomics may CAS the padding's word). */
    public MemorySegment paddedData() {
        return segment().asSlice(CellsLayout.DATA, CellsLayout.dataBytes(kind, length));
    }

    public int length() {
        return length;
    }

    public boolean hasLock() {
        return hasLock;
    }

    private synchronized SharedFile attach() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed in this process");
        }
        if (file == null) {
            if (hasLock) {
                Futex.link();
            }
            Path p = Path.of(path);
            file = HandleAttach.attach(p, describe(), segment -> CellsLayout.check(segment, p, kind, length));
        }
        return file;
    }

    /** True once {@link #close()} was called on this object. */
    public boolean isClosed() {
        return closed;
    }

    /** Ends this process's use; the creator also removes the file's name. Idempotent. */
    public void close() {
        SharedFile f;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            f = file;
        }
        if (f != null) {
            if (creator) {
                try {
                    f.unlink();
                } catch (IOException bestEffort) {
                    // the tree's sweep removes it at exit
                }
            }
            f.close();
        }
    }

    /** The file's path, for tests. */
    public Path path() {
        return Path.of(path);
    }

    @Override
    public String toString() {
        return Path.of(path).getFileName() + (closed ? ", closed" : "");
    }

    private String describe() {
        return "shared " + kind.javaName() + (length == 1 ? "" : "[" + length + "]") + " " + Path.of(path).getFileName();
    }
}
