package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Atomic read-modify-write operations that {@code MemorySegment} var handles lack: compare-and-set and
 * get-and-add of {@code byte}, {@code short} and {@code char} elements (done by a CAS of the aligned
 * 4-byte word that contains the element, leaving its other bytes as they are), and get-and-add of
 * {@code float} and {@code double} (a CAS loop on the bits). Every operation has volatile semantics, as
 * the var handles' own atomic operations do. The caller guarantees that the element's containing
 * aligned word lies inside the segment (shared value files pad their data to 8 bytes) and that the
 * segment starts 4-byte aligned. Stateless, thread-safe.
 */
public final class Atomics {
    private static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();
    private static final VarHandle FLOAT = JAVA_FLOAT.varHandle().withInvokeExactBehavior();
    private static final VarHandle DOUBLE = JAVA_DOUBLE.varHandle().withInvokeExactBehavior();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private Atomics() {
    }

    /**
     * CAS of the {@code width}-byte field at {@code offset}: true if it held {@code expected} (compared on
     * its {@code width} low bytes) and now holds {@code update}.
     */
    public static boolean compareAndSetField(MemorySegment s, long offset, int width, int expected, int update) {
        long word = offset & ~3L;
        int shift = shift(offset, width);
        int bits = (1 << (8 * width)) - 1;
        int mask = bits << shift;
        for (;;) {
            int current = (int) INT.getVolatile(s, word);
            if (((current & mask) >>> shift) != (expected & bits)) {
                return false;
            }
            int next = (current & ~mask) | ((update & bits) << shift);
            if ((boolean) INT.compareAndSet(s, word, current, next)) {
                return true;
            }
        }
    }

    /** Adds {@code delta} to the {@code width}-byte field at {@code offset}, wrapping; returns its old bits. */
    public static int getAndAddField(MemorySegment s, long offset, int width, int delta) {
        long word = offset & ~3L;
        int shift = shift(offset, width);
        int bits = (1 << (8 * width)) - 1;
        int mask = bits << shift;
        for (;;) {
            int current = (int) INT.getVolatile(s, word);
            int old = (current & mask) >>> shift;
            int next = (current & ~mask) | (((old + delta) & bits) << shift);
            if ((boolean) INT.compareAndSet(s, word, current, next)) {
                return old;
            }
        }
    }

    public static float getAndAddFloat(MemorySegment s, long offset, float delta) {
        for (;;) {
            float current = (float) FLOAT.getVolatile(s, offset);
            // NOTE: compare the bits (as the var handle's CAS does), so NaN and -0.0 cannot loop forever.
            if ((boolean) INT.compareAndSet(s, offset, Float.floatToRawIntBits(current), Float.floatToRawIntBits(current + delta))) {
                return current;
            }
        }
    }

    public static double getAndAddDouble(MemorySegment s, long offset, double delta) {
        for (;;) {
            double current = (double) DOUBLE.getVolatile(s, offset);
            if ((boolean) LONG.compareAndSet(s, offset, Double.doubleToRawLongBits(current),
                    Double.doubleToRawLongBits(current + delta))) {
                return current;
            }
        }
    }

    /**
     * Reads the byte at {@code offset}, before a compare-and-set there: on a mapping whose file another process
     * truncated, this read faults with HotSpot's {@link InternalError}, where the CAS itself would kill the JVM.
     */
    public static void touch(MemorySegment s, long offset) {
        // NOTE: HotSpot guards reads and writes of mapped memory (a SIGBUS becomes InternalError) but not its
        // native Unsafe.compareAndSet*, which the interpreter calls: a CAS on a page the file no longer backs
        // crashes the JVM. Reading the same page first turns that into an exception. (getAndAdd reads first.)
        byte ignored = s.get(JAVA_BYTE, offset);
    }

    private static int shift(long offset, int width) {
        int inWord = (int) (offset & 3);
        return 8 * (LITTLE_ENDIAN ? inWord : 4 - width - inWord);
    }
}
