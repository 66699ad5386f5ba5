package org.multiprocessing4j.internal.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import org.multiprocessing4j.internal.ring.MessageSource;

/**
 * A message built by {@link ObjectCodec#encodeMessage}: a caller's prefix and the encoding of a value,
 * whose large {@code byte[]}s are <em>referenced</em> (spliced in) instead of copied. Its bytes are
 * exactly those of {@link ObjectCodec#encodeAfter} for the same value; they are read from the spliced
 * arrays when the message is sent ({@link #copyTo}, {@link #toByteArray}), so such an array must not change
 * until then. The prefix is in {@link #head()} at its own offsets, where a caller may rewrite it. Not
 * thread-safe for writes to the head; reads may run concurrently.
 */
public final class EncodedMessage implements MessageSource {
    private static final int[] NONE_AT = new int[0];
    private static final byte[][] NONE = new byte[0][];

    /** Every byte that is not spliced, in order. */
    private final byte[] head;
    private final int headLength;
    /** Where in {@link #head} each spliced array goes (non-decreasing). */
    private final int[] spliceAt;
    private final byte[][] splices;
    private final int length;

    EncodedMessage(byte[] head, int headLength, int[] spliceAt, byte[][] splices) {
        this.head = head;
        this.headLength = headLength;
        this.spliceAt = spliceAt;
        this.splices = splices;
        long total = headLength;
        for (byte[] s : splices) {
            total += s.length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("encoded message would exceed " + (Integer.MAX_VALUE - 8) + " bytes");
        }
        this.length = (int) total;
    }

    /** A message of the bytes of {@code whole} (not copied). */
    public static EncodedMessage of(byte[] whole) {
        return new EncodedMessage(whole, whole.length, NONE_AT, NONE);
    }

    /** The unspliced bytes; those before the first spliced array sit at their offsets in the message. */
    public byte[] head() {
        return head;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void copyTo(int from, MemorySegment dst, long at, int n) {
        Objects.checkFromIndexSize(from, n, length);
        int headPos = 0; // next unspliced byte of head
        int pos = 0; // message offset of head[headPos]
        int end = from + n;
        for (int i = 0; i <= splices.length && pos < end; i++) {
            int headEnd = i < splices.length ? spliceAt[i] : headLength;
            pos = copyPart(head, headPos, headEnd - headPos, pos, from, end, dst, at);
            headPos = headEnd;
            if (i < splices.length) {
                pos = copyPart(splices[i], 0, splices[i].length, pos, from, end, dst, at);
            }
        }
    }

    /**
     * Copies the overlap of part {@code src[off, off + len)}, which sits at message offset {@code pos}, with
     * {@code [from, end)}; returns the message offset after the part.
     */
    private static int copyPart(byte[] src, int off, int len, int pos, int from, int end, MemorySegment dst, long at) {
        int lo = Math.max(pos, from);
        int hi = Math.min(pos + len, end);
        if (lo < hi) {
            MemorySegment.copy(src, off + (lo - pos), dst, ValueLayout.JAVA_BYTE, at + (lo - from), hi - lo);
        }
        return pos + len;
    }

    /** The message in one new array (or the head itself when nothing is spliced and it is exact). */
    public byte[] toByteArray() {
        if (splices.length == 0) {
            return headLength == head.length ? head : Arrays.copyOf(head, headLength);
        }
        byte[] out = new byte[length];
        copyTo(0, MemorySegment.ofArray(out), 0, length);
        return out;
    }
}
