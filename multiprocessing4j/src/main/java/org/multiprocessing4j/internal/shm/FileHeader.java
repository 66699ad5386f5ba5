package org.multiprocessing4j.internal.shm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The first 24 bytes every shared-memory file of the library starts with, and their checks on attach:
 * <pre>
 *   0  magic (8)        which layout this is; written last, with release, so that an attacher that
 *                       reads it with acquire sees every other header field
 *   8  version (4)      of that layout
 *  12  header bytes (4) where the layout's data starts
 *  16  capacity (8)     bytes of data area
 * </pre>
 * The rest of each header is the layout's own ({@code RingLayout}, {@code QueueLayout}).
 */
public final class FileHeader {
    public static final long MAGIC_OFFSET = 0;
    public static final long VERSION_OFFSET = 8;
    public static final long HEADER_BYTES_OFFSET = 12;
    public static final long CAPACITY_OFFSET = 16;
    /** Bytes taken by the common fields; a layout's own fields start here or later. */
    public static final long COMMON_BYTES = 24;

    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();

    private FileHeader() {
    }

    /** Writes the common fields of a new, zero-filled file, except the magic. */
    public static void write(MemorySegment file, int version, int headerBytes, long capacity) {
        file.set(JAVA_INT, VERSION_OFFSET, version);
        file.set(JAVA_INT, HEADER_BYTES_OFFSET, headerBytes);
        file.set(JAVA_LONG, CAPACITY_OFFSET, capacity);
    }

    /** Publishes a fully written header: the magic, with release. Call it last. */
    public static void publish(MemorySegment file, long magic) {
        // NOTE: release: an attacher that reads the magic with acquire sees every field written before.
        LONG.setRelease(file, MAGIC_OFFSET, magic);
    }

    /**
     * Checks magic (with acquire), version and header size of a mapped file and returns its recorded
     * capacity, which the layout validates itself.
     *
     * @param kind what the layout is, for messages, e.g. "an SPSC ring"
     * @param noun its short name, for messages, e.g. "ring"
     * @throws IncompatibleLayoutException naming the first field that does not match
     */
    public static long check(MemorySegment file, Path path, String kind, String noun, long magic, int version,
                             int headerBytes) throws IncompatibleLayoutException {
        if (file.byteSize() < headerBytes) {
            throw new IncompatibleLayoutException(path, "file size " + file.byteSize() + " is smaller than a " + noun
                    + " header (" + headerBytes + " bytes)");
        }
        long found = (long) LONG.getAcquire(file, MAGIC_OFFSET);
        if (found != magic) {
            throw new IncompatibleLayoutException(path, String.format(
                    "not %s of multiprocessing4j: magic 0x%016x, expected 0x%016x", kind, found, magic));
        }
        int foundVersion = file.get(JAVA_INT, VERSION_OFFSET);
        if (foundVersion != version) {
            throw new IncompatibleLayoutException(path, noun + " layout version " + foundVersion
                    + ", this library reads version " + version);
        }
        int foundHeader = file.get(JAVA_INT, HEADER_BYTES_OFFSET);
        if (foundHeader != headerBytes) {
            throw new IncompatibleLayoutException(path, "header bytes " + foundHeader + ", expected " + headerBytes);
        }
        return file.get(JAVA_LONG, CAPACITY_OFFSET);
    }
}
