package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Spliterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A list proxy's streams and spliterator read one snapshot, however the list changes meanwhile. */
class ManagerProxyStreamSnapshotTest extends ChildProcessTestBase {

    @Test
    @Timeout(240)
    void a_stream_of_a_list_proxy_growing_in_another_process_collects_one_snapshot() throws Exception {
        try (Manager manager = Manager.start()) {
            List<Integer> list = manager.list();
            Process adder = new Process(ChildBodies.checked(() -> {
                for (int i = 0; i < 20_000; i++) {
                    list.add(i);
                }
            }));
            adder.start();
            try {
                // NOTE: the default stream asked the manager for iterator() and size() apart and sized its array
                // by one, filling it from the other: IllegalStateException "End size 13 is less than fixed size 18"
                for (int round = 0; round < 1_000 && adder.isAlive(); round++) {
                    List<Integer> seen = list.stream().toList();
                    for (int i = 0; i < seen.size(); i++) {
                        assertEquals(i, seen.get(i), "a prefix of what the adder added, in order");
                    }
                    Object[] array = list.parallelStream().toArray();
                    assertTrue(array.length >= seen.size(), "the list only grows");
                }
            } finally {
                assertEquals(0, joined(adder));
            }
            Spliterator<Integer> spliterator = list.spliterator();
            assertEquals(20_000, spliterator.estimateSize());
            assertTrue(spliterator.hasCharacteristics(Spliterator.ORDERED | Spliterator.SIZED));
            assertEquals(20_000, list.stream().count());
        }
    }
}
