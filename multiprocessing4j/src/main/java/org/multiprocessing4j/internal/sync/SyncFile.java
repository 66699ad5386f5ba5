package org.multiprocessing4j.internal.sync;

import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.sharedmem.DecodedHandles;
import org.multiprocessing4j.internal.shm.HandleAttach;
import org.multiprocessing4j.internal.shm.ProcessStamp;
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
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open (one mapping per
 * file and JVM, however many times the handle arrives), and the primitive decoded around it resolves to
 * the first one that {@linkplain #adopt adopted} it; once that instance is closed, the next decode gives a
 * new one, which maps afresh. The creating process's own object is never handed out so.
 */
/*
 * Implementation notes
 *
 * Canonical decoded copies. A decoded copy maps the file on first use and keeps the mapping until closed
 * (a shared arena is never unmapped by the garbage collector); with one copy per decode, a pool worker that
 * ran N tasks capturing one lock held N mappings of it, up to the kernel's limit of about 65,530 per process
 * (and, for a semaphore, N entries in SemaphoreHoldings). So readResolve looks the copy up in DECODED, keyed
 * by the file's path (128 random bits, never reused: the file is made with O_EXCL) and the kind the handle
 * claims, so a handle of another kind never receives this one. The Lock, RLock, Semaphore, Event, Condition
 * or Barrier decoded around the file then resolves to the first one that adopted it (adopt), so its
 * per-object state is shared too: the lock's bias hints and Condition record, the semaphore's entry in
 * SemaphoreHoldings, the condition's waiters withdrawn by close. What a process holds is unchanged by this:
 * a lock's owner word and a semaphore's holdings are recorded per process in shared memory, whichever
 * object of the process took them. One mapping also means one Futex.watchOwner entry (keyed by mapping).
 * close() sets closed under the monitor, then leaves DECODED; a decode that ran before may still return the
 * closing copy (ordered before the close), one after never does.
 */
public final class SyncFile implements SegmentSource {
    @Serial
    private static final long serialVersionUID = 1L;
    /** This JVM's open decoded copies, one per file. */
    private static final DecodedHandles<Identity, SyncFile> DECODED = new DecodedHandles<>(file -> !file.closed);
    /** Where a primitive's state starts in every sync file: {@link #base()}. */
    public static final long BASE = SyncLayout.STATE;

    private final String path;
    private final SyncKind kind;
    /** True in the object that created the file (never in a decoded copy). */
    private final transient boolean creator;
    private transient volatile SharedFile file;
    private transient volatile boolean closed;
    /** The pid of the manager process that made this primitive, or 0; travels with the handle ({@link #ownedBy}). */
    private volatile long ownerPid;
    /** That manager process's start time in epoch milliseconds. */
    private volatile long ownerStartMillis;
    /** The primitive that first adopted this decoded copy; guarded by this. */
    private transient Object owner;

    /** What tells one sync file from every other: its path (random, never reused) and its kind. */
    private record Identity(String path, SyncKind kind) {
    }

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
            SharedFile f = HandleAttach.attach(p, describe(), segment -> SyncLayout.check(segment, p, kind));
            if (ownerPid != 0) {
                Futex.watchOwner(f.segment(), new ProcessStamp(ownerPid, ownerStartMillis), kind.noun());
            }
            file = f;
        }
        return file;
    }

    /**
     * Marks this primitive as made by the manager process {@code manager}: a wait on it, in any process that
     * uses this handle (or a copy made after this call), ends with
     * {@link org.multiprocessing4j.ManagerUnavailableException} once that process is gone. Call before the
     * handle is passed on.
     */
    public synchronized void ownedBy(ProcessStamp manager) {
        ownerPid = manager.pid();
        ownerStartMillis = manager.startMillis();
        SharedFile f = file;
        if (f != null && !closed) {
            Futex.watchOwner(f.segment(), manager, kind.noun());
        }
    }

    /**
     * The primitive that first adopted this decoded copy, or {@code candidate}, which does so now: a
     * primitive decoded around this file resolves to it, so that decoding one again gives the same object.
     * A candidate of another class (a forged handle) is given back as it is.
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
        SyncFile open = DECODED.resolve(new Identity(path, kind), this);
        if (open != this && ownerPid != 0 && open.ownerPid == 0) {
            open.ownedBy(new ProcessStamp(ownerPid, ownerStartMillis)); // this copy knows the manager that made it
        }
        return open;
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
        if (!creator) {
            DECODED.forget(new Identity(path, kind), this);
        }
        if (creator) {
            try {
                f.unlink();
            } catch (IOException bestEffort) {
                // the tree's sweep removes it at exit
            }
        }
        if (f != null) {
            Futex.forgetOwner(f.segment());
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
