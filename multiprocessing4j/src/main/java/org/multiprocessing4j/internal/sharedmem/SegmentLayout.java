package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The file of a named {@code SharedMemory} segment: a 16 KiB header, then the user's bytes.
 * <pre>
 *      0  common header (24)     {@link FileHeader}: magic "MP4JSHM1", version, header bytes (16384),
 *                                capacity = the segment's size in bytes as the user asked
 *     24  creator tree (16)      root pid (8), root start millis (8) of the process tree that created it
 *     40  creator (16)           pid (8), start millis (8) of the creating process (for messages)
 *     56  remover (8)            0, or the {@link ProcessWord} of the process deciding whether to remove
 *                                the name (see {@link NamedSegment}); CASed
 *     64  incarnation (8)        random: tells this file from a later one created under the same name
 *     72  reserved (56)
 *    128  attachment slots       {@value #SLOTS} x 16 bytes:
 *                                  +0 holder (8)  a ProcessWord, 0 when free; CASed
 *                                  +8 count (4)   open SharedMemory objects of that process on this file
 *                                  +12 pad (4)
 *  16384  data                   capacity bytes, page-aligned
 * </pre>
 * Fields 24..71 are written before the magic is published and never change after.
 */
public final class SegmentLayout {
    static final long MAGIC = 0x314D_4853_4A34_504DL; // "MP4JSHM1" little-endian
    /** Layout version; an attacher that finds another refuses the file, naming both. */
    public static final int VERSION = 1;
    static final int DATA = 16384;
    static final long TREE_PID = 24;
    static final long TREE_START = 32;
    static final long CREATOR_PID = 40;
    static final long CREATOR_START = 48;
    static final long REMOVER = 56;
    static final long INCARNATION = 64;
    static final long SLOT_TABLE = 128;
    static final int SLOT_BYTES = 16;
    static final int SLOTS = (int) ((DATA - SLOT_TABLE) / SLOT_BYTES);
    /** Largest segment: what a {@code MemorySegment} of a 64-bit JVM and tmpfs comfortably map. */
    public static final long MAX_SIZE = 1L << 46;

    static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();

    private SegmentLayout() {
    }

    static long fileSize(long size) {
        return DATA + size;
    }

    static long slot(int index) {
        return SLOT_TABLE + (long) index * SLOT_BYTES;
    }

    static long count(int index) {
        return slot(index) + 8;
    }

    /**
     * Writes every field of a new zero-filled file, lets {@code fill} write the data area (the segment of
     * {@code size} bytes at {@link #DATA}), then publishes it (the magic, with release): an attacher sees the
     * data as {@code fill} left it.
     */
    static void initialize(MemorySegment file, long size, long treePid, long treeStart, long incarnation,
                           Consumer<MemorySegment> fill) {
        file.set(JAVA_LONG, INCARNATION, incarnation); // NOTE: first: a create that fails removes its file by it
        FileHeader.write(file, VERSION, DATA, size);
        file.set(JAVA_LONG, TREE_PID, treePid);
        file.set(JAVA_LONG, TREE_START, treeStart);
        ProcessStamp me = ProcessStamp.self();
        file.set(JAVA_LONG, CREATOR_PID, me.pid());
        file.set(JAVA_LONG, CREATOR_START, me.startMillis());
        fill.accept(file.asSlice(DATA, size));
        FileHeader.publish(file, MAGIC);
    }

    /**
     * Checks a mapped file and returns the segment's size.
     *
     * @throws IncompatibleLayoutException if it is not a segment file, of another layout version, or its
     *         recorded size does not match the file's
     */
    static long check(MemorySegment file, Path path) throws IncompatibleLayoutException {
        long size = FileHeader.check(file, path, "a SharedMemory segment", "SharedMemory segment", MAGIC, VERSION, DATA);
        if (size <= 0 || size > MAX_SIZE || fileSize(size) != file.byteSize()) {
            throw new IncompatibleLayoutException(path, "segment size " + size + " does not match the file size "
                    + file.byteSize() + " (header " + DATA + " bytes)");
        }
        return size;
    }

    /**
     * True if the header is published but declares a segment larger than this mapping holds: the file was
     * mapped while its creator was still growing it (it zero-fills the file before it writes the header), so
     * it must be mapped again. Read through this mapping, so a file made later under the same name does not
     * count.
     */
    static boolean mappedShort(MemorySegment file) {
        // NOTE: only this layout's header is trusted for the size: another layout's file (another magic, or too
        // short for the common header) is never being grown by one of ours, and check refuses it at once
        if (file.byteSize() < FileHeader.COMMON_BYTES || (long) LONG.getAcquire(file, FileHeader.MAGIC_OFFSET) != MAGIC) {
            return false;
        }
        long size = file.get(JAVA_LONG, FileHeader.CAPACITY_OFFSET);
        return size > 0 && size <= MAX_SIZE && fileSize(size) > file.byteSize();
    }

    /**
     * True if the magic is still 0 (or the file is too short to hold one): the creator has not published the
     * header yet. A file with a magic is published, whatever its size: one smaller than this version's header
     * is another layout's (check refuses it), not an unfinished one.
     */
    static boolean unpublished(MemorySegment file) {
        // NOTE: not judged by size: the creator fills the file to its full size before it publishes, so a short
        // file with a magic was never one of ours in the making, and the sweep must not remove it as abandoned
        return file.byteSize() < FileHeader.MAGIC_OFFSET + Long.BYTES
                || (long) LONG.getAcquire(file, FileHeader.MAGIC_OFFSET) == 0L;
    }
}
