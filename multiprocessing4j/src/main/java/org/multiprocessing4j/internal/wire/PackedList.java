package org.multiprocessing4j.internal.wire;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list of {@code Integer}s or of {@code Long}s kept as an {@code int[]} or a {@code long[]}: what a pool's
 * map returns when every result is of one of those types, so that a million results are one array for the
 * garbage collector instead of a million objects (each young collection during a large map copied every
 * result decoded so far; measured, that was most of the parent's time in a 1 M-item map). Elements are
 * boxed when read, so two reads of one element may give two equal but distinct objects.
 *
 * <p>A full {@link List}, mutable as an {@link ArrayList}: {@code set} of a value of the list's type stores
 * it in the array; anything else ({@code add}, {@code remove}, a {@code null} or another type) first turns
 * the list into an {@link ArrayList} of the boxed elements, which it then stays. Serialized as an
 * {@link ArrayList}; {@link ObjectCodec} carries it as one. Not thread-safe, as {@link ArrayList}.
 *
 * @param <E> {@code Integer} or {@code Long}
 */
/*
 * Implementation note: parts. The numbers may be held in several arrays ("parts"), every one of
 * partLength elements but the last, which holds the rest: what concat makes of a map's chunks, so that a
 * million results are not copied into one new 8 MB array (measured in the parent of a 1 M-item map: 22-25
 * ms of its 85-110 ms, nearly all of it the kernel's first touch of the new array's pages, ~11 µs per 4 KiB
 * page on the VM of DESIGN.md). Element i is in part i / partLength; the division is a multiplication by
 * a precomputed reciprocal (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019:
 * for 32-bit unsigned n and d >= 2, n / d == high 64 bits of (2^64 / d + 1) * n, exactly), because a
 * 32-bit DIV costs 10-30 cycles on the CPUs we run on and a list is read element by element.
 */
public final class PackedList<E> extends AbstractList<E> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Parts shorter than this are not worth keeping apart: concat copies them into one array. */
    private static final int MIN_PART_LENGTH = 4096;

    /** The parts of a list of Integers; null otherwise, or once boxed. Each array's length is its element count. */
    private int[][] ints;
    /** The parts of a list of Longs; null otherwise, or once boxed. Each array's length is its element count. */
    private long[][] longs;
    /** Elements in each part but the last (the last holds the rest); at least 2 when there are several parts. */
    private final int partLength;
    /** (2^64 - 1) / partLength + 1 (unsigned), to divide by partLength; unused with one part. */
    private final long reciprocal;
    private final int packedSize;
    /** The elements once this list stopped being packed; null while packed. */
    private ArrayList<E> boxed;

    private PackedList(int[][] ints, long[][] longs, int partLength, int size) {
        this.ints = ints;
        this.longs = longs;
        this.partLength = partLength;
        this.reciprocal = partLength >= 2 ? Long.divideUnsigned(-1L, partLength) + 1 : 0;
        this.packedSize = size;
    }

    /** A list of the {@code Integer}s in {@code values} (not copied: the list owns the array). */
    public static PackedList<Integer> ofInts(int[] values) {
        return new PackedList<>(new int[][] {values}, null, values.length, values.length);
    }

    /** A list of the {@code Long}s in {@code values} (not copied: the list owns the array). */
    public static PackedList<Long> ofLongs(long[] values) {
        return new PackedList<>(null, new long[][] {values}, values.length, values.length);
    }

    /**
     * The concatenation of {@code parts}, packed if every part is a packed list of one type (nothing
     * boxed; the parts' arrays kept as they are when each but the last has the same length, of at least
     * {@value #MIN_PART_LENGTH}, as a map's chunks have, else copied into one), else an {@link ArrayList} of
     * every element. The list returned owns the parts' arrays: the parts must not be used afterwards.
     */
    public static List<Object> concat(List<?>[] parts) {
        long total = 0;
        boolean allInts = parts.length > 0;
        boolean allLongs = parts.length > 0;
        for (List<?> p : parts) {
            total += p.size();
            boolean packed = p instanceof PackedList<?> q && q.boxed == null;
            allInts &= packed && ((PackedList<?>) p).ints != null;
            allLongs &= packed && ((PackedList<?>) p).longs != null;
        }
        int n = Math.toIntExact(total);
        if (!allInts && !allLongs) {
            ArrayList<Object> all = new ArrayList<>(n);
            for (List<?> p : parts) {
                all.addAll(p);
            }
            return all;
        }
        int length = parts[0].size();
        boolean keepParts = parts.length > 1 && length >= MIN_PART_LENGTH;
        for (int i = 0; i < parts.length && keepParts; i++) {
            int size = parts[i].size();
            keepParts = i < parts.length - 1 ? size == length : size >= 1 && size <= length;
        }
        if (allInts) {
            int[][] arrays = new int[keepParts ? parts.length : 1][];
            if (keepParts) {
                for (int i = 0; i < parts.length; i++) {
                    arrays[i] = ((PackedList<?>) parts[i]).intsInOneArray();
                }
            } else {
                arrays[0] = new int[n];
                int at = 0;
                for (List<?> p : parts) {
                    PackedList<?> q = (PackedList<?>) p;
                    q.copyInts(arrays[0], at);
                    at += q.packedSize;
                }
            }
            return cast(new PackedList<Integer>(arrays, null, keepParts ? length : n, n));
        }
        long[][] arrays = new long[keepParts ? parts.length : 1][];
        if (keepParts) {
            for (int i = 0; i < parts.length; i++) {
                arrays[i] = ((PackedList<?>) parts[i]).longsInOneArray();
            }
        } else {
            arrays[0] = new long[n];
            int at = 0;
            for (List<?> p : parts) {
                PackedList<?> q = (PackedList<?>) p;
                q.copyLongs(arrays[0], at);
                at += q.packedSize;
            }
        }
        return cast(new PackedList<Long>(null, arrays, keepParts ? length : n, n));
    }

    /**
     * Collects values into a packed list while they are all {@code Long}s or all {@code Integer}s, into an
     * {@link ArrayList} from the first value that breaks the run: a pool worker's results for one chunk, or
     * the items of one chunk of a map call. {@link #clear()} makes it ready for the next chunk, keeping its
     * array. Not thread-safe.
     */
    public static final class Builder {
        private static final int UNDECIDED = 0;
        private static final int INTS = 1;
        private static final int LONGS = 2;
        /** The longest array this builder makes; past it the values are boxed. */
        private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

        private final int capacity;
        private int kind = UNDECIDED;
        private int[] ints;
        private long[] longs;
        private ArrayList<Object> boxed;
        private int size;

        /**
         * A builder for about {@code expected} values (more are allowed): its array is made that long at the
         * first value, so {@code expected} must be a count the caller holds, not a caller's bound.
         */
        public Builder(int expected) {
            this.capacity = Math.max(1, expected);
        }

        /** Appends {@code value} (any object, or null). */
        public void add(Object value) {
            if (boxed == null) {
                if (kind == INTS && value instanceof Integer i && (size < ints.length || grow())) {
                    ints[size++] = i;
                    return;
                }
                if (kind == LONGS && value instanceof Long l && (size < longs.length || grow())) {
                    longs[size++] = l;
                    return;
                }
                if (kind == UNDECIDED && value instanceof Integer i) {
                    kind = INTS;
                    ints = ints != null ? ints : new int[capacity];
                    ints[size++] = i;
                    return;
                }
                if (kind == UNDECIDED && value instanceof Long l) {
                    kind = LONGS;
                    longs = longs != null ? longs : new long[capacity];
                    longs[size++] = l;
                    return;
                }
                unpack();
            }
            boxed.add(value);
        }

        /** Doubles the array in use; false if it cannot grow (the values are then boxed). */
        private boolean grow() {
            int length = kind == INTS ? ints.length : longs.length;
            if (length >= MAX_LENGTH) {
                return false;
            }
            int longer = (int) Math.min(MAX_LENGTH, Math.max(16, 2L * length));
            if (kind == INTS) {
                ints = Arrays.copyOf(ints, longer);
            } else {
                longs = Arrays.copyOf(longs, longer);
            }
            return true;
        }

        /**
         * The values added, packed if they were all {@code Long}s or all {@code Integer}s. The list may share
         * this builder's array: after {@link #clear()} it must no longer be used.
         */
        public List<Object> build() {
            if (boxed != null || size == 0) {
                return boxed != null ? boxed : new ArrayList<>();
            }
            return kind == LONGS ? cast(ofLongs(size == longs.length ? longs : Arrays.copyOf(longs, size)))
                    : cast(ofInts(size == ints.length ? ints : Arrays.copyOf(ints, size)));
        }

        /** Forgets the values added, keeping the array for the next ones (see {@link #build()}). */
        public void clear() {
            kind = UNDECIDED;
            boxed = null;
            size = 0;
        }

        private void unpack() {
            boxed = new ArrayList<>(Math.max(Math.min(capacity, 1 << 16), size + 1));
            for (int i = 0; i < size; i++) {
                boxed.add(kind == LONGS ? (Object) longs[i] : (Object) ints[i]);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(PackedList<?> list) {
        return (List<Object>) list;
    }

    /** The numbers of a packed list of {@code Integer}s in one array: its own if it has one part, else a copy. */
    private int[] intsInOneArray() {
        if (ints.length == 1) {
            return ints[0];
        }
        int[] all = new int[packedSize];
        copyInts(all, 0);
        return all;
    }

    /** The numbers of a packed list of {@code Long}s in one array: its own if it has one part, else a copy. */
    private long[] longsInOneArray() {
        if (longs.length == 1) {
            return longs[0];
        }
        long[] all = new long[packedSize];
        copyLongs(all, 0);
        return all;
    }

    /** The parts of a packed list of {@code Integer}s, else null (for {@link FastPathWriter}; not copied). */
    int[][] packedInts() {
        return boxed == null ? ints : null;
    }

    /** The parts of a packed list of {@code Long}s, else null (for {@link FastPathWriter}; not copied). */
    long[][] packedLongs() {
        return boxed == null ? longs : null;
    }

    private void copyInts(int[] to, int at) {
        for (int[] part : ints) {
            System.arraycopy(part, 0, to, at, part.length);
            at += part.length;
        }
    }

    private void copyLongs(long[] to, int at) {
        for (long[] part : longs) {
            System.arraycopy(part, 0, to, at, part.length);
            at += part.length;
        }
    }

    /** The part that holds element {@code index} (0 ≤ index < size): index / partLength. */
    private int part(int index) {
        return (int) Math.unsignedMultiplyHigh(reciprocal, index);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        if (boxed != null) {
            return boxed.get(index);
        }
        Objects.checkIndex(index, packedSize);
        if (ints != null) {
            if (ints.length == 1) {
                return (E) Integer.valueOf(ints[0][index]);
            }
            int part = part(index);
            return (E) Integer.valueOf(ints[part][index - part * partLength]);
        }
        if (longs.length == 1) {
            return (E) Long.valueOf(longs[0][index]);
        }
        int part = part(index);
        return (E) Long.valueOf(longs[part][index - part * partLength]);
    }

    @Override
    public int size() {
        return boxed != null ? boxed.size() : packedSize;
    }

    @Override
    public E set(int index, E element) {
        if (boxed == null) {
            E old = get(index);
            int p = ints != null ? ints.length : longs.length;
            int part = p == 1 ? 0 : part(index);
            int at = index - part * partLength;
            if (ints != null && element instanceof Integer i) {
                ints[part][at] = i;
                return old;
            }
            if (longs != null && element instanceof Long l) {
                longs[part][at] = l;
                return old;
            }
        }
        return unpacked().set(index, element);
    }

    @Override
    public void add(int index, E element) {
        unpacked().add(index, element);
        modCount++;
    }

    @Override
    public E remove(int index) {
        E old = unpacked().remove(index);
        modCount++;
        return old;
    }

    @Override
    public void clear() {
        unpacked().clear();
        modCount++;
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        boolean changed = unpacked().addAll(c);
        modCount++;
        return changed;
    }

    @Override
    public int hashCode() {
        if (boxed != null) {
            return boxed.hashCode();
        }
        int h = 1;
        if (longs != null) {
            for (long[] part : longs) {
                for (long v : part) {
                    h = 31 * h + Long.hashCode(v);
                }
            }
        } else {
            for (int[] part : ints) {
                for (int v : part) {
                    h = 31 * h + v;
                }
            }
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PackedList<?> p && boxed == null && p.boxed == null) {
            if (ints != null && p.ints != null && ints.length == 1 && p.ints.length == 1) {
                return Arrays.equals(ints[0], p.ints[0]);
            }
            if (longs != null && p.longs != null && longs.length == 1 && p.longs.length == 1) {
                return Arrays.equals(longs[0], p.longs[0]);
            }
        }
        return super.equals(o);
    }

    /** The elements as an {@link ArrayList}, which this list is from now on. */
    private ArrayList<E> unpacked() {
        if (boxed == null) {
            ArrayList<E> list = new ArrayList<>(packedSize);
            for (int i = 0; i < packedSize; i++) {
                list.add(get(i));
            }
            boxed = list;
            ints = null;
            longs = null;
        }
        return boxed;
    }

    @Serial
    private Object writeReplace() {
        return new ArrayList<>(this);
    }
}
