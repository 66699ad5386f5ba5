package org.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads little-endian values from a range of a byte array, checking every read and every declared length
 * against the bytes really present: a truncated or hostile message fails with an {@link IOException},
 * never a runtime exception or an allocation larger than the message. Not thread-safe: one instance
 * serves one {@code decode} call.
 */
final class WireInput {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final byte[] data;
    private int position;
    private final int end;

    /** Reads {@code data[offset, offset + length)}; the caller has checked that range lies in the array. */
    WireInput(byte[] data, int offset, int length) {
        this.data = data;
        this.position = offset;
        this.end = offset + length;
    }

    int position() {
        return position;
    }

    int remaining() {
        return end - position;
    }

    /**
     * Fails unless at least {@code n} more bytes are present. NOTE: not an EOFException, which a Connection's
     * recv() throws only when the peer is gone: a reader that stops at EOF took a bad message for the end
     */
    void require(long n) throws StreamCorruptedException {
        if (n > end - position) {
            throw new StreamCorruptedException("encoded object truncated: " + n + " more bytes needed at offset " + position
                    + ", " + (end - position) + " present");
        }
    }

    void skip(int n) throws StreamCorruptedException {
        require(n);
        position += n;
    }

    byte readByte() throws StreamCorruptedException {
        require(1);
        return data[position++];
    }

    int readInt() throws StreamCorruptedException {
        require(4);
        int v = (int) INT.get(data, position);
        position += 4;
        return v;
    }

    long readLong() throws StreamCorruptedException {
        require(8);
        long v = (long) LONG.get(data, position);
        position += 8;
        return v;
    }

    /**
     * Reads a count of elements of at least {@code minElementSize} bytes each and checks that they can be
     * present: the count is never negative and never promises more bytes than the message holds.
     */
    int readCount(int minElementSize) throws IOException {
        int n = readInt();
        if (n < 0 || (long) n * minElementSize > end - position) {
            throw new IOException("encoded length " + n + " exceeds the " + (end - position) + " bytes present");
        }
        return n;
    }

    String readUtf8(int length) throws StreamCorruptedException {
        require(length);
        String s = new String(data, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** {@code count} chars of two bytes each, low byte first, kept as they are (an unpaired surrogate included). */
    String readUtf16(int count) throws StreamCorruptedException {
        require(2 * count);
        char[] chars = new char[count];
        for (int i = 0; i < count; i++) {
            chars[i] = (char) ((data[position + 2 * i] & 0xff) | (data[position + 2 * i + 1] & 0xff) << 8);
        }
        position += 2 * count;
        return new String(chars);
    }

    byte[] readBytes(int length) throws StreamCorruptedException {
        require(length);
        // NOTE: copyOfRange, not new + arraycopy: the JIT then skips zeroing the new array (a MiB-sized
        // argument costs one pass over memory instead of two).
        byte[] b = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return b;
    }

    int[] readInts(int count) throws StreamCorruptedException {
        require(4L * count);
        int[] a = new int[count];
        MemorySegment.copy(MemorySegment.ofArray(data), INT_LE, position, a, 0, count);
        position += 4 * count;
        return a;
    }

    long[] readLongs(int count) throws StreamCorruptedException {
        require(8L * count);
        long[] a = new long[count];
        MemorySegment.copy(MemorySegment.ofArray(data), LONG_LE, position, a, 0, count);
        position += 8 * count;
        return a;
    }

    double[] readDoubles(int count) throws StreamCorruptedException {
        require(8L * count);
        double[] a = new double[count];
        MemorySegment.copy(MemorySegment.ofArray(data), DOUBLE_LE, position, a, 0, count);
        position += 8 * count;
        return a;
    }

    /** Fails unless every byte was read: a message with trailing bytes is not what an encoder wrote. */
    void expectEnd() throws IOException {
        if (position != end) {
            throw new IOException("encoded object has " + (end - position) + " unexpected trailing bytes");
        }
    }
}
