package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;

/**
 * The file of a shared {@code Value} or {@code Array}: a 128-byte header, then the elements.
 * <pre>
 *    0  common header (24)  {@link FileHeader}: magic "MP4JCELL", version, header bytes (128),
 *                           capacity = bytes of the data area
 *   24  element kind (4)    {@link CellKind#code()}
 *   28  length (4)          elements (1 for a value)
 *   32  flags (4)           bit 0: the lock region holds the value's RLock
 *   36  reserved (28)
 *   64  lock region (64)    zero bytes = a free lock; its RLock (ReentrantRobustLock, 32 bytes) lives here
 *  128  data                length x element size, rounded up to 8 bytes (at least 8), so that every
 *                           element lies in an aligned 4-byte word (sub-word atomics CAS that word)
 * </pre>
 */
public final class CellsLayout {
    static final long MAGIC = 0x4C4C_4543_4A34_504DL; // "MP4JCELL" little-endian
    /** Layout version, checked on attach. */
    public static final int VERSION = 1;
    private static final long KIND = 24;
    private static final long LENGTH = 28;
    private static final long FLAGS = 32;
    /** Where the lock's words start; 8-aligned. */
    public static final long LOCK = 64;
    /** Bytes reserved for the lock. */
    public static final long LOCK_BYTES = 64;
    /** Where the elements start; 8-aligned (the file is page-aligned). */
    public static final long DATA = 128;
    private static final int HAS_LOCK = 1;

    private CellsLayout() {
    }

    /** Bytes of the data area for {@code length} elements of {@code kind}. */
    static long dataBytes(CellKind kind, int length) {
        return Math.max(8, ((long) length * kind.bytes() + 7) & ~7L);
    }

    static void initialize(MemorySegment file, CellKind kind, int length, boolean hasLock) {
        FileHeader.write(file, VERSION, (int) DATA, dataBytes(kind, length));
        file.set(JAVA_INT, KIND, kind.code());
        file.set(JAVA_INT, LENGTH, length);
        file.set(JAVA_INT, FLAGS, hasLock ? HAS_LOCK : 0);
        FileHeader.publish(file, MAGIC);
    }

    /**
     * Checks that the mapped file holds {@code length} elements of {@code kind}.
     *
     * @throws IncompatibleLayoutException naming the first field that differs (another layout version,
     *         another element type or length)
     */
    static void check(MemorySegment file, Path path, CellKind kind, int length) throws IncompatibleLayoutException {
        long capacity = FileHeader.check(file, path, "a shared value or array", "shared value", MAGIC, VERSION, (int) DATA);
        int code = file.get(JAVA_INT, KIND);
        CellKind found = CellKind.ofCode(code);
        if (found != kind) {
            throw new IncompatibleLayoutException(path, "holds " + (found == null ? "element code " + code : found.javaName())
                    + " elements, expected " + kind.javaName());
        }
        int foundLength = file.get(JAVA_INT, LENGTH);
        if (foundLength != length || capacity != dataBytes(kind, length) || file.byteSize() < DATA + capacity) {
            throw new IncompatibleLayoutException(path, "holds " + foundLength + " elements in " + capacity
                    + " bytes, expected " + length);
        }
    }
}
