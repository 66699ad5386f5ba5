package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The bytes of a sync file (one primitive with a file of its own), version 2 (since 2 locks carry a bias:
 * {@link BiasedLock}): a 128-byte header, then the primitive's state, whose layout its own class describes
 * (offsets relative to {@link #STATE}).
 *
 * <pre>
 *    0 +------------------------------------------------------------------+
 *      | magic "MP4JSYNC" (long) | version (int) | header bytes (int)     |  creator, once; magic
 *   16 | state bytes (long) | kind (int) | pad | creator pid (long)      |  stored last (release)
 *   40 | creator start millis (long)                                      |
 *  128 +------------------------------------------------------------------+
 *      | state: the primitive's words, every one naturally aligned        |
 *      +------------------------------------------------------------------+
 * </pre>
 */
final class SyncLayout {
    static final long MAGIC = 0x4D50_344A_5359_4E43L; // "MP4JSYNC"
    static final int VERSION = 2;
    static final int HEADER_BYTES = 128;
    static final long KIND_OFFSET = 24;
    static final long CREATOR_PID_OFFSET = 32;
    static final long CREATOR_START_OFFSET = 40;
    /** Where the primitive's state starts. */
    static final long STATE = HEADER_BYTES;

    static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();

    private SyncLayout() {
    }

    static long fileSize(long stateBytes) {
        return HEADER_BYTES + stateBytes;
    }

    /** Writes the header of a new, zero-filled file; the magic goes last, with release. */
    static void initialize(MemorySegment file, SyncKind kind, long stateBytes, ProcessStamp creator) {
        FileHeader.write(file, VERSION, HEADER_BYTES, stateBytes);
        file.set(JAVA_INT, KIND_OFFSET, kind.code());
        file.set(JAVA_LONG, CREATOR_PID_OFFSET, creator.pid());
        file.set(JAVA_LONG, CREATOR_START_OFFSET, creator.startMillis());
        FileHeader.publish(file, MAGIC);
    }

    /**
     * Checks the header of a mapped file against this layout and the expected kind.
     *
     * @throws IncompatibleLayoutException naming the first field that does not match
     */
    static void check(MemorySegment file, Path path, SyncKind kind) throws IncompatibleLayoutException {
        long stateBytes = FileHeader.check(file, path, "a sync file", "sync", MAGIC, VERSION, HEADER_BYTES);
        int found = file.get(JAVA_INT, KIND_OFFSET);
        if (found != kind.code()) {
            throw new IncompatibleLayoutException(path, "holds " + SyncKind.nounOf(found) + ", not " + kind.noun());
        }
        if (stateBytes <= 0 || fileSize(stateBytes) > file.byteSize()) {
            throw new IncompatibleLayoutException(path, "state bytes " + stateBytes + " do not fit a file of "
                    + file.byteSize() + " bytes");
        }
    }
}
