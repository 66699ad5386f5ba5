package org.multiprocessing4j.internal.manager;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The copies a manager sends another process for a live view ({@code keySet}, {@code headMap},
 * {@code reversed} ...) or an iterator of an object it serves: read-only, and of a type the proxy's method
 * can return. A {@code headMap} of a {@code NavigableMap} comes back as a {@code NavigableMap}, a
 * {@code reversed()} of a {@code Deque} as a {@code Deque}: a plain unmodifiable map, set or list there made
 * the proxy throw {@code ClassCastException} for its declared return type. A sorted view declared as a plain
 * type ({@code keySet()} is a {@code Set}) comes back as an ordered, unsorted copy: a sorted copy carries the
 * comparator, which may not be serializable.
 *
 * <p>Two exceptions to read-only: a {@code ConcurrentNavigableMap} view comes back as a
 * {@code ConcurrentSkipListMap} copy and a {@code Deque} view as a {@code LinkedList} copy (the JDK has no
 * read-only ones); changing them changes only the copy, as with every snapshot.
 */
final class ViewCopies {
    private ViewCopies() {
    }

    /** A copy of {@code view} that a method returning {@code returns} may return. */
    static Object copy(Object view, Class<?> returns) {
        return switch (view) {
            // NOTE: a sorted copy only where the declared type is sorted: it takes the comparator along, which may
            // not travel (a manager's map sorted by a lambda); a keySet() declared as a Set arrives in order anyway
            case SortedMap<?, ?> m when !returns.isAssignableFrom(TreeMap.class) -> new ConcurrentSkipListMap<>(m);
            case SortedMap<?, ?> m when !returns.isAssignableFrom(LinkedHashMap.class) ->
                    Collections.unmodifiableNavigableMap(new TreeMap<>(m));
            case Map<?, ?> m -> Collections.unmodifiableSequencedMap(new LinkedHashMap<>(m));
            case SortedSet<?> s when !returns.isAssignableFrom(LinkedHashSet.class) ->
                    Collections.unmodifiableNavigableSet(new TreeSet<>(s));
            case Set<?> s -> Collections.unmodifiableSequencedSet(entriesCopied(s));
            case Collection<?> c when !returns.isAssignableFrom(List.class) && returns.isAssignableFrom(LinkedList.class) ->
                    new LinkedList<>(snapshot(c)); // a Deque's reversed()
            case Collection<?> c -> snapshot(c);
            case Iterator<?> it -> drained(it);
            case null, default -> view;
        };
    }

    /** The elements of {@code c}, read at once (a synchronized wrapper guards {@code toArray}), read-only. */
    static List<Object> snapshot(Collection<?> c) {
        return Collections.unmodifiableList(new ArrayList<>(c));
    }

    /** What {@code it} had left, read-only: a proxy's caller gets an iterator over it (see {@code ProxyHandler}). */
    private static List<Object> drained(Iterator<?> it) {
        List<Object> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return Collections.unmodifiableList(list);
    }

    /** {@code s} with its map entries (live ones, of the map) made immutable copies. */
    private static LinkedHashSet<Object> entriesCopied(Set<?> s) {
        LinkedHashSet<Object> copy = new LinkedHashSet<>();
        for (Object o : s.toArray()) {
            copy.add(o instanceof Map.Entry<?, ?> e ? new SimpleImmutableEntry<>(e.getKey(), e.getValue()) : o);
        }
        return copy;
    }
}
