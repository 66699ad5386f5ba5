package org.multiprocessing4j.internal.sync;

import java.io.IOException;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.HandleAttach;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * The {@code /dev/shm} file of one synchronization primitive ({@link SyncLayout}), as a serializable
 * {@link SegmentSource}: the creating process maps it at once, any other process on first use.
 *
 * <p>Lifetime: {@link #close()} ends this process's use (unmaps; threads of this process still using it
 * then fail with {@link IllegalStateException}); in the creating process it also removes the file's
 * name, so processes already attached keep working and later attaches fail. Files never closed are
 * removed with the rest of the tree's files when its root exits (or by the next start's sweep after a
 * SIGKILL). Thread-safe; {@code close()} is idempotent.
 */
public final class SyncFile implements SegmentSource {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Where a primitive's state starts in every sync file: {@link #base()}. */
    public static final long BASE = SyncLayout.STATE;

    private final String path;
    private final SyncKind kind;
    /** True in the object that created the file (never in a decoded copy). */
    private final transient boolean creator;
    private transient volatile SharedFile file;
    private transient volatile boolean closed;

    private SyncFile(String path, SyncKind kind, SharedFile file) {
        this.path = path;
        this.kind = kind;
        this.file = file;
        this.creator = file != null;
    }

    /**
     * Creates the file of a new primitive with {@code stateBytes} of zeros at {@link #BASE}, lets
     * {@code initializer} write its initial state into the whole file's segment (with plain stores: nobody else sees the file yet), then
     * publishes the header.
     *
     * @throws ProcessError if the file cannot be created (a full {@code /dev/shm})
     */
    public static SyncFile create(SyncKind kind, long stateBytes, Consumer<MemorySegment> initializer) {
        Futex.link();
        SharedFile file;
        try {
            file = SharedFile.create(SyncLayout.fileSize(stateBytes));
        } catch (IOException e) {
            throw new ProcessError("cannot create the shared memory of " + kind.noun() + ": " + e.getMessage(), e);
        }
        try {
            initializer.accept(file.segment());
            SyncLayout.initialize(file.segment(), kind, stateBytes, ProcessStamp.self());
        } catch (RuntimeException | Error e) {
            try {
                file.unlink();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            file.close();
            throw e;
        }
        return new SyncFile(file.path().toString(), kind, file);
    }

    /** Where the primitive's state starts in {@link #segment()}. */
    public long base() {
        return SyncLayout.STATE;
    }

    @Override
    public MemorySegment segment() {
        SharedFile f = file;
        if (f != null && !closed) {
            return f.segment();
        }
        return attach().segment();
    }

    private synchronized SharedFile attach() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed in this process");
        }
        if (file == null) {
            Futex.link();
            Path p = Path.of(path);
            file = HandleAttach.attach(p, describe(), segment -> SyncLayout.check(segment, p, kind));
        }
        return file;
    }

    /** The file's path. */
    public Path path() {
        return Path.of(path);
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
        if (creator) {
            try {
                f.unlink();
            } catch (IOException bestEffort) {
                // the tree's sweep removes it at exit
            }
        }
        if (f != null) {
            f.close();
        }
    }

    /** The file's name, and "closed" once closed here. */
    @Override
    public String toString() {
        return Path.of(path).getFileName() + (closed ? ", closed" : "");
    }

    private String describe() {
        return kind.noun() + " " + Path.of(path).getFileName();
    }
}
