package org.multiprocessing4j.internal.sharedmem;

import java.io.IOException;
import java.io.ObjectStreamException;
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
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open (one mapping per
 * file and JVM, however many times the handle arrives); once that instance is closed, the next decode
 * gives a new one, which attaches afresh. The creating process's own object is never handed out so.
 */
/*
 * Implementation notes
 *
 * Canonical decoded copies. A decoded copy maps the file on first use and keeps the mapping until closed
 * (a shared arena is never unmapped by the garbage collector); with one copy per decode, a pool worker that
 * ran N tasks capturing one value would hold N mappings of it, up to the kernel's limit of about 65,530 per
 * process. So readResolve looks the copy up in DECODED, keyed by what identifies the file: its path, whose 128
 * random bits are never reused (the file is made with O_EXCL), with the kind and length the handle claims,
 * so a forged or stale handle of another shape never receives this one. The value or array decoded around
 * this file then resolves to the first one that adopted it (adopt), so its lock, its data cache and its
 * close are shared too. close() sets closed under the monitor, then leaves DECODED; a decode that ran
 * before may still return the closing copy (ordered before the close), one after never does.
 */
public final class CellsFile implements SegmentSource {
    @Serial
    private static final long serialVersionUID = 1L;
    /** This JVM's open decoded copies, one per file. */
    private static final DecodedHandles<Identity, CellsFile> DECODED = new DecodedHandles<>(file -> !file.closed);

    private final String path;
    private final CellKind kind;
    private final int length;
    private final boolean hasLock;
    /** True in the object that created the file (never in a decoded copy). */
    private final transient boolean creator;
    private transient volatile SharedFile file;
    private transient volatile boolean closed;
    /** The value or array that first adopted this decoded copy; guarded by this. */
    private transient Object owner;

    /** What tells one shared file from every other: its path (random, never reused) and its shape. */
    private record Identity(String path, CellKind kind, int length, boolean hasLock) {
    }

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

    /**
     * The object that first adopted this decoded copy, or {@code candidate}, which does so now: a value or
     * array decoded around this file resolves to it, so that decoding one again gives the same object.
     */
    public synchronized Object adopt(Object candidate) {
        if (owner == null) {
            owner = candidate;
        }
        return owner.getClass() == candidate.getClass() ? owner : candidate;
    }

    /** A decoded copy is this JVM's open copy of the same file, if there is one (see the class doc). */
    @Serial
    private Object readResolve() throws ObjectStreamException {
        return DECODED.resolve(identity(), this);
    }

    private Identity identity() {
        return new Identity(path, kind, length, hasLock);
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
        if (!creator) {
            DECODED.forget(identity(), this);
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
