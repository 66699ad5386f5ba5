package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.multiprocessing4j.internal.sharedmem.SegmentLayout.LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.SharedFile;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * One process's attachment to a named shared-memory segment ({@link SegmentLayout}): the mapping, and
 * this process's entry in the segment's attachment table, counted per open {@code NamedSegment}.
 *
 * <p>Lifetime rule (the reason for the table): the segment's name is removed
 * <ol>
 * <li>by {@link #unlink()}, whoever calls it (CPython's rule: mappings already made stay valid until
 *     closed; nobody can attach afterwards), or
 * <li>automatically, once <em>both</em> the process tree that created it has ended <em>and</em> no live
 *     process has it open: checked when a process closes its last attachment (or exits normally with
 *     attachments open), when the creating tree's root exits normally, and by the sweep that runs in the
 *     next JVM that uses shared memory (for trees and attachers killed by SIGKILL).
 * </ol>
 * So a segment outlives every {@code close()} while its creator's tree runs (another process may still
 * attach by name, as in CPython), and is never removed while a process that is alive has it open, whoever
 * created it. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Attachment table. Slot = (holder word, count). A process owns at most one slot per segment (claimed by
 * CAS 0 -> self, or by CAS from a holder that is dead) and only it changes its count, under the JVM-wide
 * lock of OpenSegments, so threads of one JVM never race on it. A holder that dies leaves its slot
 * behind: it counts as unused because the holder is dead (ProcessWord.isAlive), and is reclaimed by the
 * next process that needs a slot.
 *
 * Attach versus removal (a Dekker handshake on two words, all accesses volatile or CAS, so sequentially
 * consistent): an attacher increments its slot's count, then reads REMOVER; a remover CASes REMOVER from
 * 0 to itself, then reads every slot. Either the attacher sees the remover (it backs off, undoes its
 * count, waits for the decision and retries: the name is gone, or the remover found someone and reset
 * REMOVER to 0) or the remover sees the attacher's count (it resets REMOVER and removes nothing). A
 * remover killed mid-decision is recognized as dead and its REMOVER word taken over or cleared. After a
 * removal REMOVER keeps the remover's word: the file is nameless; late attachers that opened it before
 * the unlink back off and then find no file.
 *
 * Incarnation. The name may be unlinked and created again; every removal first checks that the file now
 * under the name carries this file's random incarnation, so a stale handle never deletes a newer segment
 * (a race of a few microseconds between that check and the unlink remains; the kernel has no
 * unlink-this-inode call).
 */
public final class NamedSegment implements AutoCloseable {
    /** How long attach waits for the creator of one file to publish its header, or for a removal decision on it. */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String name;
    private final Path path;
    private final SharedFile file;
    private final MemorySegment header;
    private final MemorySegment data;
    private final long incarnation;
    /** This process's slot; guarded by the OpenSegments lock. */
    int slot = -1;
    /** Guarded by the OpenSegments lock. */
    boolean closed;

    private NamedSegment(String name, Path path, SharedFile file, long size) {
        this.name = name;
        this.path = path;
        this.file = file;
        this.header = file.segment();
        this.data = header.asSlice(SegmentLayout.DATA, size);
        this.incarnation = header.get(JAVA_LONG, SegmentLayout.INCARNATION);
    }

    /**
     * Creates the segment {@code name} of {@code size} zero bytes and attaches this process to it.
     *
     * @throws IllegalArgumentException if {@code size} is not positive or over {@link SegmentLayout#MAX_SIZE},
     *         or the name is not valid ({@link SegmentNames#path})
     * @throws FileAlreadyExistsException if a segment (or any file) of that name exists
     * @throws IOException if the file cannot be created, e.g. {@code /dev/shm} is full
     */
    public static NamedSegment create(String name, long size) throws IOException {
        return create(name, size, data -> { });
    }

    /**
     * As {@link #create(String, long)}, with {@code fill} writing the zero-filled data area before the
     * segment is published: a process that attaches by name meanwhile waits, and then sees what {@code fill}
     * wrote (a {@code ShareableList}'s layout), never the bare zeros. If {@code fill} throws, the segment is
     * removed and the exception propagates.
     */
    public static NamedSegment create(String name, long size, Consumer<MemorySegment> fill) throws IOException {
        if (size <= 0 || size > SegmentLayout.MAX_SIZE) {
            throw new IllegalArgumentException("shared memory size must be in [1, " + SegmentLayout.MAX_SIZE + "] bytes: "
                    + size + " for \"" + name + "\"");
        }
        Path path = SegmentNames.path(name);
        OpenSegments.firstUse();
        long[] tree = SegmentNames.treeRoot();
        long nonce = ByteBuffer.wrap(Nonces.next(8)).getLong();
        long incarnation = nonce == 0 ? 1 : nonce;
        SharedFile file;
        try {
            file = SharedFile.create(path, SegmentLayout.fileSize(size));
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(name, null, "a shared memory segment named \"" + name
                    + "\" exists already (" + path + ")");
        }
        try {
            SegmentLayout.initialize(file.segment(), size, tree[0], tree[1], incarnation, fill);
            NamedSegment segment = new NamedSegment(name, path, file, size);
            long remover = OpenSegments.register(segment);
            if (remover != 0) {
                throw new IOException("shared memory segment \"" + name + "\" was taken for removal by "
                        + ProcessWord.describe(remover) + " while being created");
            }
            return segment;
        } catch (IOException | RuntimeException | Error e) {
            // NOTE: by incarnation, not by path: the name may have been removed meanwhile (a remover that took
            // this file, a sweep of an unfinished one) and made anew by another creator, whose segment stays
            try {
                SegmentRemoval.unlinkIfSame(path, incarnation);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            file.close();
            throw e;
        }
    }

    /**
     * Attaches this process to the existing segment {@code name}.
     *
     * @throws NoSuchFileException if there is no segment of that name
     * @throws IncompatibleLayoutException if the file is not a segment of this layout version (the message
     *         names the version found and the one expected), or was never completed by its creator
     * @throws java.nio.file.AccessDeniedException if the file belongs to another user
     * @throws IOException if it cannot be mapped, or every attachment slot is taken by live processes
     */
    public static NamedSegment attach(String name) throws IOException {
        Path path = SegmentNames.path(name);
        OpenSegments.firstUse();
        long deadline = 0;
        SharedFile previous = null;
        for (;;) {
            // NOTE: lateness is read before this attempt maps the file, so a stall of this thread between the
            // mapping and the checks below (a loaded machine, a GC pause) cannot make a file read mid-creation
            // look abandoned: a late attempt's mapping was made after the creator's full allowance had passed
            boolean lateBeforeMapping = previous != null && System.nanoTime() - deadline >= 0;
            SharedFile file;
            try {
                file = SharedFile.attachUnfinished(path);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(name, null, "no shared memory segment named \"" + name + "\" (" + path + ")");
            }
            boolean late = lateBeforeMapping;
            if (!file.sameFileAs(previous)) {
                // NOTE: the creator is given SETTLE_NANOS per file, counted again whenever the file changes: a
                // name made and removed again and again (each attempt finds a new, unfinished file) is progress,
                // not a creator stuck or dead. Inode numbers alone do not tell files apart where a file system
                // reuses them at once, hence sameFileAs also compares the change time
                deadline = System.nanoTime() + SETTLE_NANOS;
                late = false;
            }
            previous = file;
            long remover = -1;
            try {
                // NOTE: mapped while the creator was still growing the file (it zero-fills it before it writes and
                // publishes the header): published now, but this mapping is short of it; map it again. The magic
                // is read once for both questions: read twice, the creator could publish in between, and a
                // mapping judged unpublished (so not short) was then checked as published and refused as corrupt
                boolean published = !SegmentLayout.unpublished(file.segment());
                boolean mappedShort = published && SegmentLayout.mappedShort(file.segment());
                if (!(mappedShort && !late) && (published || late)) {
                    long size = SegmentLayout.check(file.segment(), path);
                    NamedSegment segment = new NamedSegment(name, path, file, size);
                    remover = OpenSegments.register(segment);
                    if (remover == 0) {
                        return segment;
                    }
                    if (late) {
                        throw new IOException("shared memory segment \"" + name + "\" is being removed by "
                                + ProcessWord.describe(remover) + ": not attached");
                    }
                    if (!ProcessWord.isAlive(remover)) {
                        // NOTE: a remover killed mid-decision: clear its claim, then retry from the start.
                        boolean ignored = LONG.compareAndSet(file.segment(), SegmentLayout.REMOVER, remover, 0L);
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                file.close();
                throw e;
            }
            file.close();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** The segment's bytes: {@link #size()} of them, page-aligned; unusable after {@link #close()}. */
    public MemorySegment data() {
        return data;
    }

    public String name() {
        return name;
    }

    public long size() {
        return data.byteSize();
    }

    /** The random value that tells this file from another created later under the same name. */
    public long incarnation() {
        return incarnation;
    }

    /** The process that created the segment, as recorded in it (for messages). */
    public long creatorPid() {
        return header.get(JAVA_LONG, SegmentLayout.CREATOR_PID);
    }

    /**
     * Removes the segment's name if it still names this file (nobody can attach afterwards; every existing
     * mapping stays valid until closed). Idempotent.
     *
     * @return true if this call removed it
     * @throws IOException if the name exists but cannot be removed
     */
    public boolean unlink() throws IOException {
        return SegmentRemoval.unlinkIfSame(path, incarnation);
    }

    /**
     * Ends this attachment: counts it out of the table, removes the name if the lifetime rule says so (see
     * the class doc), and unmaps. Idempotent; {@link #data()} throws {@link IllegalStateException} after.
     */
    @Override
    public void close() {
        boolean lastOfThisProcess;
        synchronized (OpenSegments.class) {
            if (closed) {
                return;
            }
            lastOfThisProcess = OpenSegments.deregister(this);
        }
        if (lastOfThisProcess) {
            SegmentRemoval.removeIfUnused(header, path, incarnation, false);
        }
        file.close();
    }

    MemorySegment header() {
        return header;
    }

    Path path() {
        return path;
    }

    @Override
    public String toString() {
        return "NamedSegment[" + name + ", " + size() + " bytes]";
    }
}
