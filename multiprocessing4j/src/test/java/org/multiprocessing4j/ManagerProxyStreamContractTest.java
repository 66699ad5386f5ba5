package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A collection proxy's {@code stream()} and {@code spliterator()} read one snapshot
 * ({@link ManagerProxyStreamSnapshotTest}) and still keep the interfaces' contracts: a registered
 * interface's own default {@code stream()} runs as written, and a sorted set's spliterator reports
 * {@code SORTED} and {@code ORDERED} with the set's comparator.
 */
class ManagerProxyStreamContractTest extends ChildProcessTestBase {

    /** A list whose stream shows its even numbers only. */
    public interface EvenStream extends List<Integer> {
        @Override
        default Stream<Integer> stream() {
            return List.super.stream().filter(i -> i % 2 == 0);
        }
    }

    static final class EvenStreamList extends ArrayList<Integer> implements EvenStream {
    }

    @Test
    @Timeout(240)
    void a_user_interfaces_default_stream_runs() throws Exception {
        try (Manager manager = Manager.builder().register(EvenStream.class, EvenStreamList::new).start()) {
            EvenStream list = manager.create(EvenStream.class);
            list.addAll(List.of(1, 2, 3, 4));
            // NOTE: the proxy made a stream of the whole snapshot in place of the interface's own body
            assertEquals(List.of(2, 4), list.stream().toList());
            assertEquals(List.of(1, 2, 3, 4), list.parallelStream().toList(), "the JDK's default, over a snapshot");
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void a_sorted_set_proxys_spliterator_is_sorted_by_the_sets_comparator() throws Exception {
        try (Manager manager = Manager.builder().register(NavigableSet.class, ConcurrentSkipListSet::new)
                .register(ReversedSet.class, ReversedSetImpl::new).start()) {
            NavigableSet<Integer> natural = manager.create(NavigableSet.class);
            natural.addAll(List.of(3, 1, 2));
            Spliterator<Integer> s = natural.spliterator();
            // NOTE: SortedSet.spliterator's contract: DISTINCT, SORTED and ORDERED, with the set's comparator
            assertTrue(s.hasCharacteristics(Spliterator.SORTED | Spliterator.ORDERED | Spliterator.DISTINCT),
                    "characteristics " + Integer.toHexString(s.characteristics()));
            assertNull(s.getComparator(), "natural order");
            assertEquals(List.of(1, 2), natural.parallelStream().limit(2).toList());
            ReversedSet reversed = manager.create(ReversedSet.class);
            reversed.addAll(List.of(3, 1, 2));
            Spliterator<Integer> r = reversed.spliterator();
            assertTrue(r.hasCharacteristics(Spliterator.SORTED | Spliterator.ORDERED));
            assertEquals(List.of(3, 1), List.of(3, 1).stream().sorted(r.getComparator()).toList(), "the set's order");
            assertEquals(List.of(3, 2, 1), reversed.stream().toList());
        }
    }

    /** A sorted set in reverse order. */
    public interface ReversedSet extends NavigableSet<Integer> {
    }

    static final class ReversedSetImpl extends ConcurrentSkipListSet<Integer> implements ReversedSet {
        ReversedSetImpl() {
            super(Comparator.reverseOrder());
        }
    }
}
