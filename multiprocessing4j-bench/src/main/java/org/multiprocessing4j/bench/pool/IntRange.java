package org.multiprocessing4j.bench.pool;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * Python's {@code range(n)}: the ints {@code 0..n-1} as an immutable {@link java.util.List} that stores
 * nothing but {@code n}, so creating it costs what creating a {@code range} costs in CPython (nothing), and
 * the boxing happens where {@code Pool.map} reads the items, inside the timed region as CPython's
 * {@code list(iterable)} does. Thread-safe (immutable). Not serializable: only its items travel.
 */
public final class IntRange extends AbstractList<Integer> implements RandomAccess {
    private final int n;

    /**
     * {@code 0..n-1}.
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public IntRange(int n) {
        if (n < 0) throw new IllegalArgumentException("range size must not be negative, got " + n);
        this.n = n;
    }

    @Override
    public Integer get(int index) {
        if (index < 0 || index >= n) throw new IndexOutOfBoundsException("index " + index + " of range(" + n + ")");
        return index;
    }

    @Override
    public int size() {
        return n;
    }
}
