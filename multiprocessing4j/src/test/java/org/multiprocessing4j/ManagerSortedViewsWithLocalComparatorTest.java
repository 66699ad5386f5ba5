package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Views of sorted maps and sets whose comparator lives in the manager only (it cannot be serialized): a view
 * declared as a plain {@code Set} or {@code Collection} ({@code keySet()}, {@code values()}) arrives as an
 * ordered copy, as before views came back as copies of their declared types; only a view declared sorted
 * needs the comparator.
 */
class ManagerSortedViewsWithLocalComparatorTest extends ChildProcessTestBase {

    /** A map sorted by key length, with a comparator that cannot be serialized (it captures a lambda). */
    static final class ByLengthMap extends TreeMap<String, Integer> {
        ByLengthMap() {
            super(Comparator.comparing((String s) -> s.length()).thenComparing(Comparator.naturalOrder()));
        }
    }

    /** A set sorted by length, with a comparator that cannot be serialized. */
    static final class ByLengthSet extends TreeSet<String> {
        ByLengthSet() {
            super(Comparator.comparing((String s) -> s.length()).thenComparing(Comparator.naturalOrder()));
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void plain_views_of_a_sorted_map_with_an_unserializable_comparator_arrive_in_order() throws Exception {
        try (Manager manager = Manager.builder().register(NavigableMap.class, ByLengthMap::new)
                .register(NavigableSet.class, ByLengthSet::new).start()) {
            NavigableMap<String, Integer> map = manager.create(NavigableMap.class);
            map.put("ccc", 3);
            map.put("a", 1);
            map.put("bb", 2);
            // NOTE: keySet() came back as a TreeSet copy, which took the comparator along: the reply could not be
            // serialized (it arrived as a plain ordered set before views were copied to their sorted types)
            assertEquals(List.of("a", "bb", "ccc"), List.copyOf(map.keySet()));
            assertEquals(List.of("a", "bb", "ccc"), List.copyOf(map.sequencedKeySet()));
            assertEquals(List.of(1, 2, 3), List.copyOf(map.values()));
            NavigableSet<String> set = manager.create(NavigableSet.class);
            set.addAll(List.of("ccc", "a", "bb"));
            assertEquals(List.of("a", "bb", "ccc"), set.stream().toList(), "a stream, unsorted by the copy");
            assertEquals(List.of("a", "bb"), set.parallelStream().limit(2).toList());
        }
    }
}
