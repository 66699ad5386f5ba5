package org.multiprocessing4j.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The bytes of an SPSC ring file, version 3: a 1 KiB header, then the data area. Offsets are from the
 * start of the file; every word is naturally aligned (the mapping is page-aligned). Groups written by
 * different parties sit 128 bytes apart, so they never share a cache line nor an adjacent-line pair.
 *
 * <pre>
 *    0 +-------------------------------------------------------------------+
 *      | magic "MP4JSPSC" (long) | version (int) | header bytes (int)      |  creator, once; magic
 *   16 | capacity (long)         | creator pid (long) | creator start (long)|  stored last (release)
 *  128 +-------------------------------------------------------------------+
 *      | writer end: state (int) | - | pid (long) | start millis (long) | |  the writer, at claim
 *      |   stamp writes (long)                                           |     and at close
 *  256 +-------------------------------------------------------------------+
 *      | reader end: state (int) | - | pid | start millis | stamp writes   |  the reader, likewise
 *  384 +-------------------------------------------------------------------+
 *      | tail (long): bytes ever published                                 |  writer only
 *  512 +-------------------------------------------------------------------+
 *      | head (long): bytes ever consumed                                  |  reader only
 *  640 +-------------------------------------------------------------------+
 *      | data futex: sequence (int) | sleepers (int) | armed (int)         |  reader sleeps, writer wakes
 *  768 +-------------------------------------------------------------------+
 *      | space futex: sequence (int) | sleepers (int) | armed (int)        |  writer sleeps, reader wakes
 *  896 +-------------------------------------------------------------------+
 *      | reserved                                                          |
 * 1024 +-------------------------------------------------------------------+
 *      | data: capacity bytes (a power of two), a sequence of records      |
 *      +-------------------------------------------------------------------+
 *
 * record (8-aligned, never split by the end of the data area):
 *      | length (int) | kind (int) | [total length (long), FIRST only] | payload | pad to 8 |
 *      kind PAD   the rest of the data area is unused; continue at offset 0 (length unused)
 *           WHOLE a complete message of length bytes (0 allowed)
 *           FIRST first piece of a message streamed in pieces; carries the total length
 *           MORE  a middle piece          LAST  the final piece
 *           ABORT the writer gave up on the message being streamed: drop its pieces
 * </pre>
 *
 * An end's state goes FREE → CLAIMING → ATTACHED → CLOSED; pid and start time are stored before the
 * release store of ATTACHED, so whoever reads ATTACHED with acquire reads them whole. An end handed to a
 * child process in its run order is first RESERVED for it (FREE → CLAIMING → RESERVED, the child's pid
 * and start time stored), and the child's claim takes it on (RESERVED → CLAIMING → ATTACHED); a child
 * that hands the end on unused moves the reservation (RESERVED → CLAIMING → RESERVED, another stamp).
 * Because a reservation's stamp can change, stamp writes counts the stamps written (a seqlock: odd while
 * one is being written), so a peer reading pid and start time can tell a torn pair. Head and tail only
 * grow; a position's offset in the data area is {@code position & (capacity - 1)}.
 */
final class RingLayout {
    static final long MAGIC = 0x4D50_344A_5350_5343L; // "MP4JSPSC"
    /** 3: the futex groups gained "armed" (the sequence a sleeper waits on), so one wake serves one sleep. */
    static final int VERSION = 3;
    static final int HEADER_BYTES = 1024;
    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 30;

    static final long MAGIC_OFFSET = FileHeader.MAGIC_OFFSET;
    static final long VERSION_OFFSET = FileHeader.VERSION_OFFSET;
    static final long HEADER_BYTES_OFFSET = FileHeader.HEADER_BYTES_OFFSET;
    static final long CAPACITY_OFFSET = FileHeader.CAPACITY_OFFSET;
    static final long CREATOR_PID_OFFSET = 24;
    static final long CREATOR_START_OFFSET = 32;
    static final long WRITER_END = 128;
    static final long READER_END = 256;
    static final long TAIL = 384;
    static final long HEAD = 512;
    static final long DATA_SEQUENCE = 640;
    static final long DATA_SLEEPERS = 644;
    static final long DATA_ARMED = 648;
    static final long SPACE_SEQUENCE = 768;
    static final long SPACE_SLEEPERS = 772;
    static final long SPACE_ARMED = 776;
    static final long DATA = HEADER_BYTES;

    // Within an end group.
    static final long END_STATE = 0;
    static final long END_PID = 8;
    static final long END_START = 16;
    static final long END_STAMP_WRITES = 24;
    static final int FREE = 0;
    static final int CLAIMING = 1;
    static final int ATTACHED = 2;
    static final int CLOSED = 3;
    static final int RESERVED = 4;

    // Records.
    static final int RECORD_HEADER = 8;
    static final int FIRST_HEADER = 16;
    static final int PAD = 1;
    static final int WHOLE = 2;
    static final int FIRST = 3;
    static final int MORE = 4;
    static final int LAST = 5;
    static final int ABORT = 6;
    /**
     * The longest message a ring carries: the reader assembles a message in one array, and a JVM allocates
     * none longer (HotSpot stops a few bytes short of {@code Integer.MAX_VALUE}).
     */
    static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();

    private RingLayout() {
    }

    static long fileSize(int capacity) {
        return HEADER_BYTES + (long) capacity;
    }

    /** {@code n} rounded up to a multiple of 8. */
    static int align8(int n) {
        return (n + 7) & ~7;
    }

    /**
     * The bytes a record takes: {@code header}, then {@code length} bytes of payload rounded up to a multiple
     * of 8. A long: for a message near {@link #MAX_MESSAGE} the int sum would wrap to a negative size.
     */
    static long recordSize(int header, int length) {
        return header + (((long) length + 7) & ~7L);
    }

    static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in [" + MIN_CAPACITY + ", "
                    + MAX_CAPACITY + "]: " + capacity);
        }
    }

    /** Writes the header of a new, zero-filled ring file; the magic goes last, with release. */
    static void initialize(MemorySegment file, int capacity, ProcessStamp creator) {
        FileHeader.write(file, VERSION, HEADER_BYTES, capacity);
        file.set(JAVA_LONG, CREATOR_PID_OFFSET, creator.pid());
        file.set(JAVA_LONG, CREATOR_START_OFFSET, creator.startMillis());
        FileHeader.publish(file, MAGIC);
    }

    /**
     * Checks the header of a mapped file against this layout and returns its capacity.
     *
     * @throws IncompatibleLayoutException naming the first field that does not match
     */
    static int check(MemorySegment file, Path path) throws IncompatibleLayoutException {
        long capacity = FileHeader.check(file, path, "an SPSC ring", "ring", MAGIC, VERSION, HEADER_BYTES);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1
                || fileSize((int) capacity) != file.byteSize()) {
            throw new IncompatibleLayoutException(path, "capacity " + capacity + " does not fit a file of "
                    + file.byteSize() + " bytes");
        }
        return (int) capacity;
    }

    /** The process that created the ring, as recorded. */
    static ProcessStamp creator(MemorySegment file) {
        return new ProcessStamp(file.get(JAVA_LONG, CREATOR_PID_OFFSET), file.get(JAVA_LONG, CREATOR_START_OFFSET));
    }
}
