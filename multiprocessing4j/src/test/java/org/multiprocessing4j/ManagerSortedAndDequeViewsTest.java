package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Views and iterators of registered sorted maps, sorted sets and deques, through proxies in another JVM than
 * the manager's: each comes back as a snapshot of the type the interface's method declares.
 */
class ManagerSortedAndDequeViewsTest extends ChildProcessTestBase {

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void views_of_a_navigable_map_are_navigable_snapshots() throws Exception {
        try (Manager manager = Manager.builder().register(ConcurrentNavigableMap.class, ConcurrentSkipListMap::new).start()) {
            ConcurrentNavigableMap<Integer, String> map = manager.create(ConcurrentNavigableMap.class);
            map.put(1, "a");
            map.put(2, "b");
            map.put(3, "c");
            // NOTE: each came back as a plain unmodifiable map or set: ClassCastException in the proxy
            assertEquals(Map.of(1, "a"), map.headMap(2));
            assertEquals(2, map.tailMap(2, true).firstKey());
            assertEquals(3, map.descendingMap().firstKey());
            assertEquals(3, map.reversed().firstKey());
            assertEquals(1, map.navigableKeySet().first());
            assertEquals(3, map.descendingKeySet().first());
            assertEquals(List.of(1, 2, 3), List.copyOf(map.keySet()));
            assertEquals(List.of(1, 2, 3), List.copyOf(map.sequencedKeySet()));
            assertEquals(List.of("a", "b", "c"), List.copyOf(map.values()));
            assertThrows(UnsupportedOperationException.class, () -> map.navigableKeySet().remove(1), "a read-only snapshot");
            assertEquals(3, map.size());
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void views_and_descending_iterators_of_sets_and_deques_arrive() throws Exception {
        try (Manager manager = Manager.builder().register(NavigableSet.class, ConcurrentSkipListSet::new)
                .register(BlockingDeque.class, LinkedBlockingDeque::new).start()) {
            NavigableSet<Integer> set = manager.create(NavigableSet.class);
            set.addAll(List.of(1, 5, 3));
            assertEquals(Set.of(1, 3), set.headSet(4));
            assertEquals(5, set.descendingSet().first());
            assertEquals(5, set.descendingIterator().next(), "an iterator of the manager's could not be sent");
            BlockingDeque<Integer> deque = manager.create(BlockingDeque.class);
            deque.add(1);
            deque.add(2);
            assertEquals(2, deque.reversed().peekFirst());
            assertEquals(2, deque.descendingIterator().next());
            assertEquals(List.of(1, 2), List.copyOf(deque));
        }
    }
}
