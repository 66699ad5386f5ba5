package org.multiprocessing4j.internal.pool;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.internal.wire.PackedList;

/** Chunks of map calls: their size, as CPython computes it, and the form in which their items travel. */
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
     * One chunk's items as they are read, then as the list that travels; {@link #clear()}ed for the next
     * chunk of the same call, so that a call's chunks are collected in one array (in a large map they were
     * a new array each, the parent's largest allocation after the messages themselves). Not thread-safe.
     */
    static final class Collector {
        private final PackedList.Builder packed;
        private final List<Object> pairs;
        private int count;

        /**
         * For a map ({@code star} false) or a starmap chunk of about {@code expected} items, a count the
         * caller holds (room for that many is made at once).
         */
        Collector(boolean star, int expected) {
            this.packed = star ? null : new PackedList.Builder(expected);
            this.pairs = star ? new ArrayList<>(expected) : null;
        }

        /** Forgets the items added: the list {@link #travelling()} returned before must no longer be used. */
        void clear() {
            if (packed != null) {
                packed.clear();
            } else {
                pairs.clear();
            }
            count = 0;
        }

        /** {@link #clear()}, then {@code items} as the list that travels. */
        List<Object> travelling(List<?> items) {
            clear();
            for (Object item : items) {
                add(item);
            }
            return travelling();
        }

        void add(Object item) {
            if (packed != null) {
                packed.add(item);
            } else {
                pairs.add(item);
            }
            count++;
        }

        /** Items added so far. */
        int count() {
            return count;
        }

        /**
         * The items as the list that travels: for map, packed if they are all {@code Integer}s or all
         * {@code Long}s (see {@link PackedList}: written from one array, without the codec's copy and type
         * scan of a list of objects); for starmap each pair becomes a serializable
         * {@link AbstractMap.SimpleImmutableEntry} ({@code Map.entry} pairs are not serializable).
         *
         * @throws IllegalArgumentException if a starmap item is not a {@code Map.Entry}
         */
        List<Object> travelling() {
            if (packed != null) {
                return packed.build();
            }
            List<Object> out = new ArrayList<>(pairs.size());
            for (Object item : pairs) {
                if (item instanceof Map.Entry<?, ?> e) {
                    out.add(e instanceof AbstractMap.SimpleImmutableEntry<?, ?> ? e : new AbstractMap.SimpleImmutableEntry<>(e));
                } else {
                    throw new IllegalArgumentException("starmap needs Map.Entry items (key and value are the two arguments), got "
                            + (item == null ? "null" : item.getClass().getName()));
                }
            }
            return out;
        }
    }

    /** Checks a chunk size given by the caller. */
    public static int checked(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be at least 1, got " + chunksize);
        }
        return chunksize;
    }
}
