package org.multiprocessing4j.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The bytes of a queue file, version 4: a 2 KiB header, then the data area. Offsets are from the start of
 * the file; every word is naturally aligned. Groups written by different parties sit 128 bytes apart.
 *
 * <pre>
 *    0 +-------------------------------------------------------------------+
 *      | magic "MP4JMPMC" (long) | version (int) | header bytes (int)      |  creator, once; magic
 *   16 | capacity (long) | maxsize (long) | creator pid | creator start   |  stored last (release)
 *  128 +-------------------------------------------------------------------+
 *      | producer mutex: owner pid + start token (long) | waiters (int)    |  RobustMutex
 *  256 | consumer mutex: owner pid + start token (long) | waiters (int)    |  RobustMutex
 *  384 | producer cursor: tail (start + bytes published), puts (items      |  producer lock holder
 *      | ever put), then its journal (see Cursor)                          |
 *  512 | consumer cursor: head (start + bytes consumed), gets (items       |  consumer lock holder
 *      | ever taken), then its journal                                     |
 *  640 | data futex word (int): wake sequence << 1 | waiting bit           |  consumer sleeps
 *  768 | space futex word (int)                                            |  producer sleeps
 *  896 | tasks done (long) | tasks futex word (int)                        |  JoinableQueue
 * 1024 | buffered: 48 entries of (owner (long), count (long)): items put     |  each producer its own
 *      | but waiting in that process's feeder (BufferedCounts)             |  entry (atomic add)
 * 1792 | entries ever claimed (long) | overflow count (long): untracked     |
 * 1808 | reserved                                                          |
 * 2048 +-------------------------------------------------------------------+
 *      | data: capacity bytes (a power of two), a sequence of records      |
 *      +-------------------------------------------------------------------+
 *
 * record (8-aligned, never split by the end of the data area):
 *      | length (int) | kind (int) | payload (length bytes) | pad to 8 |
 *      kind PAD   the rest of the data area is unused; continue at offset 0
 *           ITEM  one encoded item
 * </pre>
 *
 * Buffered counts items a producer's {@code put} accepted while the data area was full and that wait in
 * that process for room (Queue's feeder), per process so that a dead one's can be taken back; it falls as
 * they go in, or are dropped. Tail, puts, head, gets and tasks done only grow; tail and head start at {@link #startPosition}, the
 * counts at 0. Items in the queue = puts - gets; unfinished tasks = puts - tasks done. A position's offset
 * in the data area is {@code position & (capacity - 1)}.
 */
final class QueueLayout {
    static final long MAGIC = 0x4D50_344A_4D50_4D43L; // "MP4JMPMC"
    /**
     * 4: buffered counted per process at 1024 (3 had one buffered count there; 2 had one futex word per
     * condition, with a waiting bit; 1 a sequence and a sleeper count).
     */
    static final int VERSION = 4;
    static final int HEADER_BYTES = 2048;

    static final long MAGIC_OFFSET = FileHeader.MAGIC_OFFSET;
    static final long VERSION_OFFSET = FileHeader.VERSION_OFFSET;
    static final long HEADER_BYTES_OFFSET = FileHeader.HEADER_BYTES_OFFSET;
    static final long CAPACITY_OFFSET = FileHeader.CAPACITY_OFFSET;
    static final long MAXSIZE_OFFSET = 24;
    static final long CREATOR_PID_OFFSET = 32;
    static final long CREATOR_START_OFFSET = 40;
    static final long PRODUCER_MUTEX = 128;
    static final long CONSUMER_MUTEX = 256;
    static final long PRODUCER_CURSOR = 384;
    static final long CONSUMER_CURSOR = 512;
    static final long DATA_FUTEX = 640;
    static final long SPACE_FUTEX = 768;
    static final long TASKS_DONE = 896;
    static final long TASKS_FUTEX = 904;
    static final long BUFFERED = 1024;
    static final long BUFFERED_OVERFLOW = BUFFERED + BufferedCounts.SLOTS * BufferedCounts.ENTRY_BYTES;
    static final long DATA = HEADER_BYTES;

    static final int RECORD_HEADER = 8;
    static final int PAD = 1;
    static final int ITEM = 2;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    /** A long whose bytes lie in memory in the order of its significance, low first, on any platform. */
    static final VarHandle LONG_LE = JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle().withInvokeExactBehavior();

    private QueueLayout() {
    }

    static long fileSize(int capacity) {
        return HEADER_BYTES + (long) capacity;
    }

    /** A record's header as one long (one store, one load): the length, then the kind, as in the picture. */
    static long recordHeader(int length, int kind) {
        return LITTLE_ENDIAN ? (long) kind << 32 | (length & 0xFFFF_FFFFL) : (long) length << 32 | (kind & 0xFFFF_FFFFL);
    }

    /** The length field of a header made by {@link #recordHeader}. */
    static int length(long header) {
        return LITTLE_ENDIAN ? (int) header : (int) (header >>> 32);
    }

    /** The kind field of a header made by {@link #recordHeader}. */
    static int kind(long header) {
        return LITTLE_ENDIAN ? (int) (header >>> 32) : (int) header;
    }

    /** {@code n} rounded up to a multiple of 8. */
    static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Where tail and head start: a sixteenth of the data area before its end, not at 0. The first wrap
     * (a PAD, and the producer's first fresh look at the head) then comes after 64 KiB of a 1 MiB queue,
     * while the JIT is still profiling put and take, instead of after the whole MiB, when the compiled
     * code had never seen those branches and had to be thrown away at the first wrap (seen as
     * deoptimizations in the queue benchmark, some 65,000 small items in).
     */
    static long startPosition(int capacity) {
        return (capacity - capacity / 16) & ~7L; // NOTE: records are 8-aligned (a 64-byte queue started at 60)
    }

    /** Writes the header of a new, zero-filled queue file; the magic goes last, with release. */
    static void initialize(MemorySegment file, int capacity, long maxsize, ProcessStamp creator) {
        FileHeader.write(file, VERSION, HEADER_BYTES, capacity);
        file.set(JAVA_LONG, MAXSIZE_OFFSET, maxsize);
        file.set(JAVA_LONG, CREATOR_PID_OFFSET, creator.pid());
        file.set(JAVA_LONG, CREATOR_START_OFFSET, creator.startMillis());
        file.set(JAVA_LONG, PRODUCER_CURSOR, startPosition(capacity));
        file.set(JAVA_LONG, CONSUMER_CURSOR, startPosition(capacity));
        FileHeader.publish(file, MAGIC);
    }

    /**
     * Checks the header of a mapped file against this layout and returns its capacity.
     *
     * @throws IncompatibleLayoutException naming the first field that does not match
     */
    static int check(MemorySegment file, Path path) throws IncompatibleLayoutException {
        long capacity = FileHeader.check(file, path, "a queue", "queue", MAGIC, VERSION, HEADER_BYTES);
        if (capacity < 64 || capacity > (1 << 30) || Long.bitCount(capacity) != 1 || fileSize((int) capacity) != file.byteSize()) {
            throw new IncompatibleLayoutException(path, "capacity " + capacity + " does not fit a file of "
                    + file.byteSize() + " bytes");
        }
        return (int) capacity;
    }
}
