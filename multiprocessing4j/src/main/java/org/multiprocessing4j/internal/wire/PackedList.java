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
public final class PackedList<E> extends AbstractList<E> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private int[] ints;
    private long[] longs;
    private final int packedSize;
    /** The elements once this list stopped being packed; null while packed. */
    private ArrayList<E> boxed;

    private PackedList(int[] ints, long[] longs, int size) {
        this.ints = ints;
        this.longs = longs;
        this.packedSize = size;
    }

    /** A list of the {@code Integer}s in {@code values} (not copied: the list owns the array). */
    public static PackedList<Integer> ofInts(int[] values) {
        return new PackedList<>(values, null, values.length);
    }

    /** A list of the {@code Long}s in {@code values} (not copied: the list owns the array). */
    public static PackedList<Long> ofLongs(long[] values) {
        return new PackedList<>(null, values, values.length);
    }

    /**
     * The concatenation of {@code parts}, packed if every part is a packed list of one type (one copy of
     * the arrays, nothing boxed), else an {@link ArrayList} of every element.
     */
    public static List<Object> concat(List<?>[] parts) {
        long total = 0;
        boolean allInts = true;
        boolean allLongs = true;
        for (List<?> p : parts) {
            total += p.size();
            boolean packed = p instanceof PackedList<?> q && q.boxed == null;
            allInts &= packed && ((PackedList<?>) p).ints != null;
            allLongs &= packed && ((PackedList<?>) p).longs != null;
        }
        int n = Math.toIntExact(total);
        if (allInts && parts.length > 0) {
            int[] all = new int[n];
            int at = 0;
            for (List<?> p : parts) {
                PackedList<?> q = (PackedList<?>) p;
                System.arraycopy(q.ints, 0, all, at, q.packedSize);
                at += q.packedSize;
            }
            return cast(ofInts(all));
        }
        if (allLongs && parts.length > 0) {
            long[] all = new long[n];
            int at = 0;
            for (List<?> p : parts) {
                PackedList<?> q = (PackedList<?>) p;
                System.arraycopy(q.longs, 0, all, at, q.packedSize);
                at += q.packedSize;
            }
            return cast(ofLongs(all));
        }
        ArrayList<Object> all = new ArrayList<>(n);
        for (List<?> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    /**
     * Collects values into a packed list while they are all {@code Long}s or all {@code Integer}s, into an
     * {@link ArrayList} from the first value that breaks the run: a pool worker's results for one chunk.
     * Not thread-safe.
     */
    public static final class Builder {
        private final int expected;
        private int[] ints;
        private long[] longs;
        private ArrayList<Object> boxed;
        private int size;

        /** A builder for about {@code expected} values (more are allowed). */
        public Builder(int expected) {
            this.expected = Math.max(0, expected);
        }

        /** Appends {@code value} (any object, or null). */
        public void add(Object value) {
            if (boxed == null) {
                if (size == 0 && ints == null && longs == null && expected > 0) {
                    if (value instanceof Long) {
                        longs = new long[expected];
                    } else if (value instanceof Integer) {
                        ints = new int[expected];
                    }
                }
                if (longs != null && value instanceof Long l && size < longs.length) {
                    longs[size++] = l;
                    return;
                }
                if (ints != null && value instanceof Integer i && size < ints.length) {
                    ints[size++] = i;
                    return;
                }
                unpack();
            }
            boxed.add(value);
        }

        /** The values added, packed if they were all {@code Long}s or all {@code Integer}s. */
        public List<Object> build() {
            if (boxed != null || size == 0) {
                return boxed != null ? boxed : new ArrayList<>();
            }
            return longs != null ? cast(ofLongs(size == longs.length ? longs : Arrays.copyOf(longs, size)))
                    : cast(ofInts(size == ints.length ? ints : Arrays.copyOf(ints, size)));
        }

        private void unpack() {
            boxed = new ArrayList<>(Math.max(expected, size + 1));
            for (int i = 0; i < size; i++) {
                boxed.add(longs != null ? (Object) longs[i] : (Object) ints[i]);
            }
            ints = null;
            longs = null;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(PackedList<?> list) {
        return (List<Object>) list;
    }

    /** The {@code int[]} of a packed list of {@code Integer}s, else null (for {@link FastPathWriter}). */
    int[] packedInts() {
        return boxed == null ? ints : null;
    }

    /** The {@code long[]} of a packed list of {@code Long}s, else null (for {@link FastPathWriter}). */
    long[] packedLongs() {
        return boxed == null ? longs : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        if (boxed != null) {
            return boxed.get(index);
        }
        Objects.checkIndex(index, packedSize);
        return ints != null ? (E) Integer.valueOf(ints[index]) : (E) Long.valueOf(longs[index]);
    }

    @Override
    public int size() {
        return boxed != null ? boxed.size() : packedSize;
    }

    @Override
    public E set(int index, E element) {
        if (boxed == null) {
            E old = get(index);
            if (ints != null && element instanceof Integer i) {
                ints[index] = i;
                return old;
            }
            if (longs != null && element instanceof Long l) {
                longs[index] = l;
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
        if (boxed == null && longs != null) {
            int h = 1;
            for (int i = 0; i < packedSize; i++) {
                h = 31 * h + Long.hashCode(longs[i]);
            }
            return h;
        }
        if (boxed == null) {
            int h = 1;
            for (int i = 0; i < packedSize; i++) {
                h = 31 * h + ints[i];
            }
            return h;
        }
        return boxed.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PackedList<?> p && boxed == null && p.boxed == null) {
            if (ints != null && p.ints != null) {
                return Arrays.equals(ints, 0, packedSize, p.ints, 0, p.packedSize);
            }
            if (longs != null && p.longs != null) {
                return Arrays.equals(longs, 0, packedSize, p.longs, 0, p.packedSize);
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
