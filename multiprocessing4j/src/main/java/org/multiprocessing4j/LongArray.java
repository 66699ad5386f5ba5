package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.multiprocessing4j.internal.sharedmem.Atomics;
import org.multiprocessing4j.internal.sharedmem.CellKind;

/**
 * A fixed-length array of {@code long} in shared memory (Python's {@code Array('q', ...)}; made by
 * {@link Array#ofLongs(int)} or {@link Array#ofLongs(long[])}, or without a lock by {@link Array#rawLongs(int)}
 * and {@link Array#rawLongs(long[])}). Element accesses {@link #get(int)} and {@link #set(int, long)} are
 * volatile on an array with a lock and acquire/release on a raw one (see {@link Array}), and take no lock;
 * {@link #compareAndSet} and {@link #getAndAdd} are atomic. The bulk copies
 * {@link #toArray()} and {@link #copyFrom(long[])} take the array's lock (when it has one) for their whole
 * copy, so they never see or leave a half-done update made under the lock; on a raw array they are plain
 * copies with no ordering against other processes. See {@link Array} for handles and lifetime. Thread-safe.
 */
public final class LongArray extends Array {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final VarHandle HANDLE = JAVA_LONG.varHandle().withInvokeExactBehavior();

    LongArray(int length, boolean withLock) {
        super(CellKind.LONG, length, withLock);
    }

    LongArray(long[] initial, boolean withLock) {
        this(initial.length, withLock);
        MemorySegment.copy(initial, 0, data(), JAVA_LONG, 0, initial.length);
    }

    /**
     * The element at {@code index}: a volatile read on an array with a lock, an acquire read on a raw one (see
     * {@link Array}); no lock taken.
     *
     * @param index the element's index, in {@code [0, length())}
     * @return the element
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length())}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public long get(int index) {
        return raw() ? (long) HANDLE.getAcquire(data(), offset(index)) : (long) HANDLE.getVolatile(data(), offset(index));
    }

    /**
     * Stores {@code value} at {@code index}: a volatile write on an array with a lock, a release write on a raw
     * one (see {@link Array}); no lock taken.
     *
     * @param index the element's index, in {@code [0, length())}
     * @param value the value to store
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length())}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public void set(int index, long value) {
        if (raw()) {
            HANDLE.setRelease(data(), offset(index), value);
        } else {
            HANDLE.setVolatile(data(), offset(index), value);
        }
    }

    /**
     * Atomically adds {@code delta} to element {@code index}, wrapping around on overflow, without the lock; volatile semantics.
     *
     * @param index the element's index, in {@code [0, length())}
     * @param delta the amount to add
     * @return the previous value
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length())}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public long getAndAdd(int index, long delta) {
        return (long) HANDLE.getAndAdd(data(), offset(index), delta);
    }

    /**
     * Atomically sets element {@code index} to {@code update} if it holds {@code expected}, without the lock; volatile
     * semantics.
     *
     * @param index the element's index, in {@code [0, length())}
     * @param expected the value the element must hold
     * @param update the value to store if it holds {@code expected}
     * @return true if it held {@code expected} and now holds {@code update}
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length())}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public boolean compareAndSet(int index, long expected, long update) {
        MemorySegment d = data();
        long at = offset(index);
        Atomics.touch(d, at); // NOTE: a truncated file faults in this read, not in the CAS (see Atomics.touch)
        return (boolean) HANDLE.compareAndSet(d, at, expected, update);
    }

    /**
     * A copy of every element, taken under the lock when the array has one.
     *
     * @return a new array holding every element
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public long[] toArray() {
        return toArray(0, length());
    }

    /**
     * A copy of the elements {@code [from, to)}, taken under the lock when the array has one.
     *
     * @param from the first index copied (inclusive)
     * @param to the end of the range (exclusive)
     * @return a new array holding those elements
     * @throws IndexOutOfBoundsException if the range is not inside {@code [0, length()]} or {@code from > to}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public long[] toArray(int from, int to) {
        Objects.checkFromToIndex(from, to, length());
        lockIfAny();
        try {
            long[] out = new long[to - from];
            MemorySegment.copy(data(), JAVA_LONG, (long) from * JAVA_LONG.byteSize(), out, 0, out.length);
            return out;
        } finally {
            unlockIfAny();
        }
    }

    /**
     * Copies {@code source} into elements {@code [0, source.length)}, under the lock when the array has one.
     *
     * @param source the values to copy
     * @throws IndexOutOfBoundsException if {@code source} is longer than the array
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public void copyFrom(long[] source) {
        copyFrom(source, 0, 0, source.length);
    }

    /**
     * Copies {@code count} elements of {@code source} from {@code sourceIndex} into this array from
     * {@code index} (as {@link System#arraycopy}), under the lock when the array has one.
     *
     * @param source the values to copy
     * @param sourceIndex the first index read in {@code source}
     * @param index the first index written in this array
     * @param count how many elements to copy
     * @throws IndexOutOfBoundsException if either range is out of bounds, naming it
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public void copyFrom(long[] source, int sourceIndex, int index, int count) {
        Objects.checkFromIndexSize(sourceIndex, count, source.length);
        Objects.checkFromIndexSize(index, count, length());
        lockIfAny();
        try {
            MemorySegment.copy(source, sourceIndex, data(), JAVA_LONG, (long) index * JAVA_LONG.byteSize(), count);
        } finally {
            unlockIfAny();
        }
    }

    private long offset(int index) {
        return (long) Objects.checkIndex(index, length()) * JAVA_LONG.byteSize();
    }

    @Override
    public String toString() {
        return "LongArray[" + length() + (raw() ? ", raw]" : "]");
    }
}
