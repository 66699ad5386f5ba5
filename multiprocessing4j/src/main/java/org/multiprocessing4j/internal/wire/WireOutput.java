package org.multiprocessing4j.internal.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable little-endian byte array that {@link ObjectCodec}'s fast paths write into. Not thread-safe:
 * one instance serves one {@code encode} call.
 *
 * @throws IllegalArgumentException from any write that would take it past the largest Java array
 */
final class WireOutput {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;
    private static final int[] NONE_AT = new int[0];
    private static final byte[][] NONE = new byte[0][];

    private byte[] bytes;
    private int size;
    /** Arrays referenced instead of copied ({@link #splice}), and where each goes in {@link #bytes}. */
    private byte[][] splices;
    private int[] spliceAt;
    private int spliceCount;

    WireOutput(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    void writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void writeInt(int v) {
        ensure(4);
        INT.set(bytes, size, v);
        size += 4;
    }

    void writeLong(long v) {
        ensure(8);
        LONG.set(bytes, size, v);
        size += 8;
    }

    void writeBytes(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, bytes, size, length);
        size += length;
    }

    void writeInts(int[] a) {
        ensure(4L * a.length);
        MemorySegment.copy(a, 0, MemorySegment.ofArray(bytes), INT_LE, size, a.length);
        size += 4 * a.length;
    }

    void writeLongs(long[] a) {
        ensure(8L * a.length);
        MemorySegment.copy(a, 0, MemorySegment.ofArray(bytes), LONG_LE, size, a.length);
        size += 8 * a.length;
    }

    void writeDoubles(double[] a) {
        ensure(8L * a.length);
        MemorySegment.copy(a, 0, MemorySegment.ofArray(bytes), DOUBLE_LE, size, a.length);
        size += 8 * a.length;
    }

    /** Makes room for {@code more} bytes up front (a packed list), so the loop that follows never grows. */
    void ensure(long more) {
        long needed = size + more;
        if (needed > bytes.length) {
            if (needed > MAX_SIZE) {
                throw new IllegalArgumentException("encoded object would exceed " + MAX_SIZE + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_SIZE, Math.max(needed, 2L * bytes.length)));
        }
    }

    /** Writes an int at the current position into room reserved by {@link #ensure} (never grows). */
    void writeIntReserved(int v) {
        INT.set(bytes, size, v);
        size += 4;
    }

    /** Writes a long at the current position into room reserved by {@link #ensure} (never grows). */
    void writeLongReserved(long v) {
        LONG.set(bytes, size, v);
        size += 8;
    }

    /**
     * Records that the bytes of {@code b} follow here, without copying them: they are read when the
     * output is turned into bytes ({@link #toByteArray}, {@link #toMessage}).
     */
    void splice(byte[] b) {
        if (splices == null) {
            splices = new byte[1][]; // NOTE: most messages splice one array (a map's function, a lambda's shape)
            spliceAt = new int[1];
        } else if (spliceCount == splices.length) {
            splices = Arrays.copyOf(splices, 2 * spliceCount);
            spliceAt = Arrays.copyOf(spliceAt, 2 * spliceCount);
        }
        splices[spliceCount] = b;
        spliceAt[spliceCount++] = size;
    }

    /** Everything written, spliced arrays included, in one array. */
    byte[] toByteArray() {
        if (spliceCount > 0) {
            return toMessage().toByteArray();
        }
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    /** Everything written as a message whose spliced arrays stay referenced. */
    EncodedMessage toMessage() {
        if (spliceCount == 0) {
            // NOTE: a message keeps a little unused room rather than pay a copy (a chunk-of-one map task
            // spent more on copying its bytes than on writing them); a buffer much larger than its bytes is
            // trimmed, so that queued messages do not hold twice their size.
            int slack = bytes.length - size;
            return slack <= 64 || slack <= size >> 3 ? new EncodedMessage(bytes, size, NONE_AT, NONE) : EncodedMessage.of(toByteArray());
        }
        return spliceCount == splices.length ? new EncodedMessage(bytes, size, spliceAt, splices)
                : new EncodedMessage(bytes, size, Arrays.copyOf(spliceAt, spliceCount), Arrays.copyOf(splices, spliceCount));
    }
}
