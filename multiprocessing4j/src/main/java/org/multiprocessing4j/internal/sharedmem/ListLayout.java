package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.wire.Utf8;

/**
 * The bytes of a {@code ShareableList} inside its segment, and the encoding of its items.
 * <pre>
 *   0  magic (8)     "MP4JSLST"
 *   8  version (4)
 *  12  count (4)     n items, fixed at creation
 *  16  data (8)      bytes of the data area
 *  24  reserved (8)
 *  32  n descriptors of 16 bytes:
 *        +0 offset (4)    of the item's slot in the data area
 *        +4 capacity (4)  bytes of the slot: 8 for numbers, booleans and null; for a string (UTF-8) or
 *                         byte[] its length at creation rounded up to 8, at least 8 (as CPython's 8-byte
 *                         alignment); a later value must fit it
 *        +8 state (8)     type tag (low 8 bits) | length in bytes (high 32 bits), stored with release
 *                         after the slot's bytes, loaded with acquire before them
 *  32 + 16n  data area: the slots, 8-aligned
 * </pre>
 * Items: null, Integer, Long, Double, Boolean, String, byte[] (CPython's None, int, float, bool, str,
 * bytes; Integer and Long are told apart so that what is read back has the type written).
 */
public final class ListLayout {
    private static final long MAGIC = 0x5453_4C53_4A34_504DL; // "MP4JSLST" little-endian
    /** Layout version, checked on attach. */
    public static final int VERSION = 1;
    private static final long COUNT = 12;
    private static final long DATA_BYTES = 16;
    private static final long DESCRIPTORS = 32;
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int NULL = 1;
    private static final int INT = 2;
    private static final int LONG = 3;
    private static final int DOUBLE = 4;
    private static final int BOOLEAN = 5;
    private static final int STRING = 6;
    private static final int BYTES = 7;
    private static final VarHandle WORD = JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final MemorySegment segment;
    private final int count;
    private final long data;

    private ListLayout(MemorySegment segment, int count) {
        this.segment = segment;
        this.count = count;
        this.data = DESCRIPTORS + (long) DESCRIPTOR_BYTES * count;
    }

    /**
     * Bytes a segment needs for {@code items}.
     *
     * @throws IllegalArgumentException naming the index and class of an item of another type
     */
    public static long bytesFor(List<?> items) {
        long total = DESCRIPTORS + (long) DESCRIPTOR_BYTES * items.size();
        long data = 0;
        for (int i = 0; i < items.size(); i++) {
            data += capacityFor(items.get(i), i);
        }
        if (data > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("a ShareableList holds at most 4 GiB of items: these need " + data + " bytes");
        }
        return Math.max(total + data, 8);
    }

    /** Lays {@code items} out in a new zero-filled {@code segment} of {@link #bytesFor} bytes. */
    public static ListLayout write(MemorySegment segment, List<?> items) {
        ListLayout list = new ListLayout(segment, items.size());
        long offset = 0;
        for (int i = 0; i < items.size(); i++) {
            int capacity = capacityFor(items.get(i), i);
            segment.set(JAVA_INT, list.descriptor(i), (int) offset);
            segment.set(JAVA_INT, list.descriptor(i) + 4, capacity);
            list.set(i, items.get(i));
            offset += capacity;
        }
        segment.set(JAVA_INT, 8, VERSION);
        segment.set(JAVA_INT, COUNT, items.size());
        segment.set(JAVA_LONG, DATA_BYTES, offset);
        // NOTE: release: an attacher that reads the magic with acquire sees the whole list.
        WORD.setRelease(segment, 0L, MAGIC);
        return list;
    }

    /**
     * Reads the layout of an existing list.
     *
     * @throws IncompatibleLayoutException if the segment holds no list or one of another version
     */
    public static ListLayout read(MemorySegment segment, String name) throws IncompatibleLayoutException {
        Path where = Path.of("shared memory \"" + name + "\"");
        if (segment.byteSize() < DESCRIPTORS || (long) WORD.getAcquire(segment, 0L) != MAGIC) {
            throw new IncompatibleLayoutException(where, "not a ShareableList of multiprocessing4j");
        }
        int version = segment.get(JAVA_INT, 8);
        if (version != VERSION) {
            throw new IncompatibleLayoutException(where, "ShareableList layout version " + version
                    + ", this library reads version " + VERSION);
        }
        int count = segment.get(JAVA_INT, COUNT);
        long needed = DESCRIPTORS + (long) DESCRIPTOR_BYTES * count + segment.get(JAVA_LONG, DATA_BYTES);
        if (count < 0 || needed > segment.byteSize()) {
            throw new IncompatibleLayoutException(where, "ShareableList of " + count + " items needs " + needed
                    + " bytes, the segment has " + segment.byteSize());
        }
        return new ListLayout(segment, count);
    }

    public int size() {
        return count;
    }

    /** The item at {@code index} (checked by the caller). */
    public Object get(int index) {
        long state = (long) WORD.getAcquire(segment, descriptor(index) + 8);
        int tag = (int) (state & 0xFF);
        int length = (int) (state >>> 32);
        long at = slot(index);
        return switch (tag) {
            case NULL -> null;
            case INT -> (int) segment.get(JAVA_LONG, at);
            case LONG -> segment.get(JAVA_LONG, at);
            case DOUBLE -> segment.get(JAVA_DOUBLE, at);
            case BOOLEAN -> segment.get(JAVA_LONG, at) != 0;
            case STRING -> new String(bytes(at, length, index), StandardCharsets.UTF_8);
            case BYTES -> bytes(at, length, index);
            default -> throw new IllegalStateException("corrupt ShareableList item " + index + ": type tag " + tag);
        };
    }

    /**
     * Stores {@code value} at {@code index} (checked by the caller): its bytes first, then its state.
     *
     * @throws IllegalArgumentException if the type is not supported, or a string or byte[] is longer than
     *         the slot's capacity
     */
    public void set(int index, Object value) {
        long at = slot(index);
        int capacity = segment.get(JAVA_INT, descriptor(index) + 4);
        int tag;
        int length = 8;
        switch (value) {
            case null -> tag = NULL;
            case Integer i -> {
                tag = INT;
                segment.set(JAVA_LONG, at, i);
            }
            case Long l -> {
                tag = LONG;
                segment.set(JAVA_LONG, at, l);
            }
            case Double d -> {
                tag = DOUBLE;
                segment.set(JAVA_DOUBLE, at, d);
            }
            case Boolean b -> {
                tag = BOOLEAN;
                segment.set(JAVA_LONG, at, b ? 1L : 0L);
            }
            case String s -> {
                tag = STRING;
                length = copyIn(utf8(s, index), at, capacity, index, "string");
            }
            case byte[] b -> {
                tag = BYTES;
                length = copyIn(b, at, capacity, index, "byte[]");
            }
            default -> throw unsupported(value, index);
        }
        WORD.setRelease(segment, descriptor(index) + 8, ((long) length << 32) | tag);
    }

    private int copyIn(byte[] bytes, long at, int capacity, int index, String what) {
        if (bytes.length > capacity) {
            throw new IllegalArgumentException("a " + what + " of " + bytes.length + " bytes exceeds the storage of item "
                    + index + " (" + capacity + " bytes, fixed when the list was created)");
        }
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, at, bytes.length);
        return bytes.length;
    }

    private byte[] bytes(long at, int length, int index) {
        int capacity = segment.get(JAVA_INT, descriptor(index) + 4);
        if (length < 0 || length > capacity) {
            throw new IllegalStateException("corrupt ShareableList item " + index + ": length " + length
                    + " in a slot of " + capacity);
        }
        byte[] out = new byte[length];
        MemorySegment.copy(segment, JAVA_BYTE, at, out, 0, length);
        return out;
    }

    private long descriptor(int index) {
        return DESCRIPTORS + (long) DESCRIPTOR_BYTES * index;
    }

    private long slot(int index) {
        return data + Integer.toUnsignedLong(segment.get(JAVA_INT, descriptor(index)));
    }

    /** {@code s} in UTF-8, or IllegalArgumentException for a string UTF-8 cannot carry (CPython: UnicodeEncodeError). */
    private static byte[] utf8(String s, int index) {
        byte[] utf8 = Utf8.exact(s);
        if (utf8 == null) {
            throw new IllegalArgumentException("item " + index + " is a string with an unpaired surrogate at index "
                    + Utf8.firstUnpairedSurrogate(s) + ", which UTF-8 (a ShareableList's encoding) cannot carry");
        }
        return utf8;
    }

    private static int capacityFor(Object item, int index) {
        long length = switch (item) {
            case null -> 8;
            case Integer i -> 8;
            case Long l -> 8;
            case Double d -> 8;
            case Boolean b -> 8;
            case String s -> utf8(s, index).length;
            case byte[] b -> b.length;
            default -> throw unsupported(item, index);
        };
        long rounded = Math.max(8, (length + 7) & ~7L);
        if (rounded > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("item " + index + " is too large for a ShareableList: " + length + " bytes");
        }
        return (int) rounded;
    }

    private static IllegalArgumentException unsupported(Object item, int index) {
        return new IllegalArgumentException("a ShareableList holds null, Integer, Long, Double, Boolean, String and"
                + " byte[] only: item " + index + " is a " + item.getClass().getName());
    }
}
