package org.multiprocessing4j.internal.pool;

/** Chunk sizes of map calls, as CPython computes them. */
public final class Chunking {
    private Chunking() {
    }

    /** CPython's default for {@code map}: {@code ceil(items / (4 × processes))}, at least 1. */
    public static int defaultChunksize(int items, int processes) {
        if (items <= 0) {
            return 1;
        }
        long per = 4L * processes;
        return (int) Math.max(1, (items + per - 1) / per);
    }

    /**
     * A chunk's items as the list that travels: for map, packed if they are all {@code Integer}s or all
     * {@code Long}s (see {@link org.multiprocessing4j.internal.wire.PackedList}: written from one array,
     * without the codec's copy and type scan of a list of objects); for starmap each pair becomes a
     * serializable {@link java.util.AbstractMap.SimpleImmutableEntry} ({@code Map.entry} pairs are not
     * serializable).
     *
     * @throws IllegalArgumentException if a starmap item is not a {@code Map.Entry}
     */
    static java.util.List<Object> travelling(java.util.List<?> items, boolean star) {
        if (!star) {
            org.multiprocessing4j.internal.wire.PackedList.Builder packed = new org.multiprocessing4j.internal.wire.PackedList.Builder(items.size());
            for (Object item : items) {
                packed.add(item);
            }
            return packed.build();
        }
        java.util.List<Object> out = new java.util.ArrayList<>(items.size());
        for (Object item : items) {
            if (item instanceof java.util.Map.Entry<?, ?> e) {
                out.add(e instanceof java.util.AbstractMap.SimpleImmutableEntry<?, ?> ? e : new java.util.AbstractMap.SimpleImmutableEntry<>(e));
            } else {
                throw new IllegalArgumentException("starmap needs Map.Entry items (key and value are the two arguments), got "
                        + (item == null ? "null" : item.getClass().getName()));
            }
        }
        return out;
    }

    /** Checks a chunk size given by the caller. */
    public static int checked(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be at least 1, got " + chunksize);
        }
        return chunksize;
    }
}
