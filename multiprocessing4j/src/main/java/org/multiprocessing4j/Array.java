package org.multiprocessing4j;

import java.io.Serial;
import java.lang.foreign.MemorySegment;
import org.multiprocessing4j.internal.sharedmem.CellKind;

/**
 * A fixed-length array of primitives in shared memory, visible to every process that has its handle:
 * Python's {@code multiprocessing.Array} and {@code RawArray}. One type per element type:
 * {@link ByteArray}, {@link ShortArray}, {@link IntArray}, {@link LongArray}, {@link FloatArray},
 * {@link DoubleArray}, {@link CharArray}, made by {@code Array.ofDoubles(n)} or
 * {@code Array.ofDoubles(double[])} (with a lock, CPython's default) and {@code Array.rawDoubles(..)}
 * (without), and likewise for each type.
 *
 * <table class="striped">
 * <caption>Python → Java</caption>
 * <tr><td>{@code a = Array('d', 10)}, {@code Array('i', [1, 2])}</td><td>{@code Array.ofDoubles(10)}, {@code Array.ofInts(new int[] {1, 2})}</td></tr>
 * <tr><td>{@code a[i]}, {@code a[i] = x}, {@code len(a)}</td><td>{@code a.get(i)}, {@code a.set(i, x)}, {@code a.length()}</td></tr>
 * <tr><td>{@code a[:]}, {@code a[:] = xs}</td><td>{@code a.toArray()}, {@code a.copyFrom(xs)} (under the lock)</td></tr>
 * <tr><td>{@code memoryview(a)}</td><td>{@link #segment()}</td></tr>
 * <tr><td>{@code RawArray('d', 10)}</td><td>{@code Array.rawDoubles(10)}</td></tr>
 * </table>
 *
 * <p>Accesses: element {@code get}/{@code set} take no lock. On an array with a lock they are volatile:
 * CPython's synchronized array takes its lock for every element access, and a volatile access gives one
 * read or write the same atomicity and order without it. On a raw array ({@code RawArray}, where CPython
 * promises no synchronization at all) {@code get} is an acquire read and {@code set} a release write:
 * everything a process wrote before a {@code set} is visible to a process whose {@code get} sees that
 * value, which is what x86 gives CPython's plain stores, but without a full fence per store (about 10 ns
 * on the machines of DESIGN.md: 1 M element stores took 12.6 ms volatile, 2.8 ms release). Two processes
 * that each {@code set} one element and then {@code get} the other's may both read the old values; use
 * the lock, {@code compareAndSet} or {@code getAndAdd} when that order matters. {@code getAndAdd} and
 * {@code compareAndSet} are atomic without the lock (beyond Python). The bulk copies {@code toArray} and
 * {@code copyFrom} take {@link #getLock()} themselves when the array has one. {@link #segment()}
 * exposes the elements as a {@link MemorySegment} in native byte order, for any other access pattern.
 * Index out of range: {@link IndexOutOfBoundsException} naming the index and the length.
 *
 * <p>Processes: an array is a serializable handle; a child that captures one uses the same memory and
 * lock, mapping them on first use (decoding has no side effects). Decoding the same handle again in a JVM
 * gives the same instance while it is open: every pool task that captures an array uses one decoded copy,
 * one mapping and one {@link #getLock() lock} object in its worker; closing that copy closes it for all
 * of them, and the next decode gives a new copy, which maps the file afresh. The creating process's own
 * object is never handed out so (a decode there gives a copy of its own). Lifetime: {@link #close()}.
 */
public abstract sealed class Array extends SharedCells permits ByteArray, ShortArray, IntArray, LongArray, FloatArray, DoubleArray, CharArray {
    @Serial
    private static final long serialVersionUID = 1L;

    Array(CellKind kind, int length, boolean withLock) {
        super(kind, length, withLock);
    }

    /** {@return the number of elements, fixed at creation} */
    public final int length() {
        return length;
    }

    /**
     * The elements as a {@link MemorySegment} of {@code length()} x element size bytes, native byte
     * order, 8-byte aligned. Accesses through it follow their access mode (plain ones are not ordered
     * across processes) and take no lock. Unusable ({@link IllegalStateException}) after {@link #close()}.
     *
     * @return the elements' memory
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public final MemorySegment segment() {
        return data().asSlice(0, cells.data().byteSize());
    }

    /**
     * A new array of {@code length} zero {@code byte}s with its own {@link RLock} (Python's {@code Array('b', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteArray ofBytes(int length) {
        return new ByteArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('b', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteArray ofBytes(byte[] initial) {
        return new ByteArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code byte}s without a lock (Python's {@code RawArray('b', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteArray rawBytes(int length) {
        return new ByteArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('b', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteArray rawBytes(byte[] initial) {
        return new ByteArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code short}s with its own {@link RLock} (Python's {@code Array('h', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortArray ofShorts(int length) {
        return new ShortArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('h', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortArray ofShorts(short[] initial) {
        return new ShortArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code short}s without a lock (Python's {@code RawArray('h', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortArray rawShorts(int length) {
        return new ShortArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('h', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortArray rawShorts(short[] initial) {
        return new ShortArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code int}s with its own {@link RLock} (Python's {@code Array('i', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntArray ofInts(int length) {
        return new IntArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('i', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntArray ofInts(int[] initial) {
        return new IntArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code int}s without a lock (Python's {@code RawArray('i', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntArray rawInts(int length) {
        return new IntArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('i', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntArray rawInts(int[] initial) {
        return new IntArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code long}s with its own {@link RLock} (Python's {@code Array('q', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongArray ofLongs(int length) {
        return new LongArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('q', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongArray ofLongs(long[] initial) {
        return new LongArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code long}s without a lock (Python's {@code RawArray('q', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongArray rawLongs(int length) {
        return new LongArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('q', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongArray rawLongs(long[] initial) {
        return new LongArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code float}s with its own {@link RLock} (Python's {@code Array('f', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatArray ofFloats(int length) {
        return new FloatArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('f', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatArray ofFloats(float[] initial) {
        return new FloatArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code float}s without a lock (Python's {@code RawArray('f', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatArray rawFloats(int length) {
        return new FloatArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('f', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatArray rawFloats(float[] initial) {
        return new FloatArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code double}s with its own {@link RLock} (Python's {@code Array('d', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleArray ofDoubles(int length) {
        return new DoubleArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('d', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleArray ofDoubles(double[] initial) {
        return new DoubleArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code double}s without a lock (Python's {@code RawArray('d', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleArray rawDoubles(int length) {
        return new DoubleArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('d', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleArray rawDoubles(double[] initial) {
        return new DoubleArray(initial, false);
    }

    /**
     * A new array of {@code length} zero {@code char}s with its own {@link RLock} (Python's {@code Array('u', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharArray ofChars(int length) {
        return new CharArray(length, true);
    }

    /**
     * A new array holding a copy of {@code initial}, with its own {@link RLock} (Python's {@code Array('u', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharArray ofChars(char[] initial) {
        return new CharArray(initial, true);
    }

    /**
     * A new array of {@code length} zero {@code char}s without a lock (Python's {@code RawArray('u', length)}).
     *
     * @param length the number of elements
     * @return the new array
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharArray rawChars(int length) {
        return new CharArray(length, false);
    }

    /**
     * A new array holding a copy of {@code initial}, without a lock (Python's {@code RawArray('u', [...])}).
     *
     * @param initial the elements to copy
     * @return the new array
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharArray rawChars(char[] initial) {
        return new CharArray(initial, false);
    }
}
