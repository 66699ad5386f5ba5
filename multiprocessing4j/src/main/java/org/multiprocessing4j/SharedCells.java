package org.multiprocessing4j;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import org.multiprocessing4j.internal.sharedmem.CellKind;
import org.multiprocessing4j.internal.sharedmem.CellsFile;
import org.multiprocessing4j.internal.sharedmem.CellsLayout;

/**
 * What {@link Value} and {@link Array} share: their file of elements, the {@link RLock} embedded in it
 * (none for raw ones), this process's mapping, attached on first use in a decoded copy, and close.
 *
 * <p>Decoded copies are canonical per JVM: decoding the same handle again while an earlier decoded copy
 * is open gives that copy (its {@link CellsFile} resolves to the open one, and this object to the value
 * or array that adopted it), so one mapping serves every task that captures the handle; after
 * {@link #close()} the next decode gives a new copy.
 */
abstract class SharedCells implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    static {
        if (RLock.bytes() > CellsLayout.LOCK_BYTES) {
            throw new AssertionError("an RLock needs " + RLock.bytes() + " bytes, values reserve " + CellsLayout.LOCK_BYTES);
        }
    }

    final CellsFile cells;
    /** The number of elements (1 for a value), here so an element access reads one field, not two. */
    final int length;
    /** The lock in the file's lock region; null for a raw value or array. */
    private final RLock lock;
    /**
     * This process's data area (padded to 8 bytes); null until first use in a decoded copy, and after close.
     * Not volatile: element accesses read it on every call, and a volatile read there kept the JIT from
     * hoisting it and the segment's checks out of a caller's loop. A thread that sees a stale null attaches
     * again under the monitor; one that sees the segment after another thread's close gets the closed
     * shared arena's {@link IllegalStateException}. The segment's fields are final, so a racy read of the
     * reference sees it whole.
     */
    private transient MemorySegment data;

    SharedCells(CellKind kind, int length, boolean withLock) {
        this.cells = CellsFile.create(kind, length, withLock);
        this.length = length;
        this.lock = withLock ? new RLock(cells, CellsLayout.LOCK) : null;
        this.data = cells.paddedData();
    }

    /**
     * The lock that guards compound updates (Python's {@code get_lock()}): an {@link RLock} in the same
     * shared memory, so every process that has this handle has the same lock. Closing the lock does
     * nothing; it lives as long as the value or array.
     *
     * @return the lock, an {@link RLock}
     * @throws UnsupportedOperationException if this is a raw value or array (made by a {@code raw...}
     *         factory, Python's {@code RawValue}/{@code RawArray}): it has no lock
     */
    public RLock getLock() {
        if (lock == null) {
            throw new UnsupportedOperationException(describe() + " is raw (RawValue/RawArray): it has no lock");
        }
        return lock;
    }

    /**
     * Ends this process's use: later calls here throw {@link IllegalStateException}. In the process that
     * created the value or array this also removes its shared file: processes already using it keep
     * working, a copy first used after that throws {@link IllegalStateException}. Not closed, the file is
     * removed when the root process of the tree exits (or by the next start's sweep after a SIGKILL).
     * On a decoded copy this closes it for every holder in this JVM (decoding the handle again gives that
     * same copy while it is open); the next decode gives a new copy. Idempotent.
     */
    @Override
    public void close() {
        data = null;
        cells.close();
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same value or array, if there is one: its
     * {@link #cells} was already resolved to the open file ({@link CellsFile}), and the first object over
     * that file is the one to use.
     */
    @Serial
    final Object readResolve() throws ObjectStreamException {
        return cells.adopt(this);
    }

    /** The padded data area in this process. */
    final MemorySegment data() {
        MemorySegment d = data;
        return d != null ? d : attach();
    }

    private synchronized MemorySegment attach() {
        if (cells.isClosed()) {
            throw new IllegalStateException(describe() + " is closed in this process");
        }
        MemorySegment d = cells.paddedData();
        data = d;
        return d;
    }

    /**
     * Takes the lock for a bulk operation, if there is one (uninterruptibly, as {@code Lock.lock}); after
     * {@link #close()}, throws the {@link IllegalStateException} that names this value or array.
     */
    final void lockIfAny() {
        if (lock != null) {
            // NOTE: check first: a lock used before the close keeps its words over the closed mapping, whose
            // IllegalStateException says only "Already closed"
            data();
            lock.lock();
        }
    }

    final void unlockIfAny() {
        if (lock != null) {
            lock.unlock();
        }
    }

    /** The type and file, for messages (never reads the shared memory). */
    final String describe() {
        return getClass().getSimpleName() + "[" + cells + "]";
    }

    final boolean raw() {
        return lock == null;
    }
}
