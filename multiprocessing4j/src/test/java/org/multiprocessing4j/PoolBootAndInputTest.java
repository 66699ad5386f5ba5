package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.AbstractSequentialList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * More corners of Pool, with real worker JVMs: workers still in their initializer when the pool is
 * terminated or broken, and map inputs without random access.
 */
class PoolBootAndInputTest extends ChildProcessTestBase {

    /** Children of this JVM alive now, by pid. */
    private static Set<Long> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    static void hangInInitializer(Event inside) {
        inside.set();
        PoolCornersTest.sleepThen(0, 600_000);
    }

    @Test
    void terminate_kills_workers_still_in_their_initializer_and_join_returns() throws Exception {
        Set<Long> before = liveChildren();
        try (Event inInitializer = new Event()) {
            Pool pool = Pool.builder().processes(2).initializer(() -> hangInInitializer(inInitializer)).build();
            AsyncResult<Integer> r = pool.applyAsync(() -> 1);
            assertTrue(inInitializer.await(HANG));
            pool.terminate();
            Set<Long> left = liveChildren();
            left.removeAll(before);
            assertEquals(Set.of(), left, "terminate() returned with workers still in their initializer");
            assertThrows(CancellationException.class, () -> r.get(HANG));
            assertTimeoutPreemptively(HANG, pool::join);
            assertEquals(0, pool.stats().workerDeaths(), "workers the pool killed are no deaths: " + pool.stats());
        }
    }

    static void failOnceOthersHang(IntValue count, Event hanging) {
        if (count.getAndAdd(1) == 0) {
            try {
                hanging.await(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the first initializer fails");
        }
        hanging.set();
        PoolCornersTest.sleepThen(0, 600_000);
    }

    @Test
    void a_pool_broken_by_one_initializer_while_another_hangs_in_its_own_still_closes() throws Exception {
        try (IntValue count = Value.ofInt(0); Event hanging = new Event()) {
            Pool pool = Pool.builder().processes(2).initializer(() -> failOnceOthersHang(count, hanging)).build();
            AsyncResult<Integer> r = pool.applyAsync(() -> 1);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertTimeoutPreemptively(HANG, pool::close, "close() of a broken pool waited for an initializer that never ends");
        }
    }

    /** A list of sequential access, as a {@code LinkedList}, counting the steps its iterators take. */
    static final class CountingSequentialList<E> extends AbstractSequentialList<E> {
        private final List<E> items;
        final AtomicLong steps = new AtomicLong();

        CountingSequentialList(List<E> items) {
            this.items = items;
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public ListIterator<E> listIterator(int index) {
            ListIterator<E> counting = new Counted<>(items.listIterator(), steps);
            for (int i = 0; i < index; i++) {
                counting.next(); // NOTE: as a linked list reaches an index: by walking
            }
            return counting;
        }
    }

    /** A read-only list iterator counting its steps. */
    private record Counted<E>(ListIterator<E> it, AtomicLong steps) implements ListIterator<E> {
        @Override
        public boolean hasNext() {
            return it.hasNext();
        }

        @Override
        public E next() {
            steps.incrementAndGet();
            return it.next();
        }

        @Override
        public boolean hasPrevious() {
            return it.hasPrevious();
        }

        @Override
        public E previous() {
            steps.incrementAndGet();
            return it.previous();
        }

        @Override
        public int nextIndex() {
            return it.nextIndex();
        }

        @Override
        public int previousIndex() {
            return it.previousIndex();
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void set(E e) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void add(E e) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void map_and_starmap_over_a_list_without_random_access_read_it_once_not_once_per_chunk() throws Exception {
        int n = 3000;
        CountingSequentialList<Integer> items = new CountingSequentialList<>(IntStream.range(0, n).boxed().toList());
        CountingSequentialList<Map.Entry<Integer, Integer>> pairs = new CountingSequentialList<>(
                IntStream.range(0, n).mapToObj(i -> Map.entry(i, 1)).toList());
        try (Pool pool = new Pool(1)) {
            assertEquals(IntStream.range(0, n).map(x -> x * 2).boxed().toList(), pool.map(x -> x * 2, items, 1));
            assertEquals(IntStream.range(1, n + 1).boxed().toList(), pool.starmap((Integer a, Integer b) -> a + b, pairs, 1));
        }
        // NOTE: each item read a few times at most (a copy, a size), not n²/2 steps for n chunks of one item
        assertTrue(items.steps.get() <= 3L * n, "map stepped " + items.steps.get() + " times through " + n + " items");
        assertTrue(pairs.steps.get() <= 3L * n, "starmap stepped " + pairs.steps.get() + " times through " + n + " items");
    }
}
