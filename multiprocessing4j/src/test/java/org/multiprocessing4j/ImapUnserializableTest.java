package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An item of {@code imap}/{@code imapUnordered} (and the executor's {@code map}) that cannot be serialized
 * fails only its chunk, as CPython's: the iterator throws {@code IllegalArgumentException} where that chunk's
 * results would have been, and later calls go on with the other chunks' results.
 */
class ImapUnserializableTest extends ChildProcessTestBase {

    /** Not Serializable. */
    static final class Unser {
    }

    private static final SerializableFunction<Object, Integer> TIMES_TEN = x -> (Integer) x * 10;

    private static List<Object> items() {
        return List.of(1, 2, 3, new Unser(), 5, 6);
    }

    @Test
    void imap_throws_at_the_unserializable_item_and_goes_on_with_the_items_after_it() throws Exception {
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imap(TIMES_TEN, items(), 1);
            assertEquals(10, results.next(HANG));
            assertEquals(20, results.next(HANG));
            assertEquals(30, results.next(HANG));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> results.next(HANG));
            assertTrue(e.getMessage().contains(Unser.class.getName()), e.getMessage());
            assertTrue(results.hasNext(), "the items after it are still to come");
            assertEquals(50, results.next(HANG));
            assertEquals(60, results.next(HANG));
            assertFalse(results.hasNext());
            assertStillServes(pool);
        }
    }

    @Test
    void imapUnordered_throws_once_for_the_unserializable_item_and_returns_every_other_result() throws Exception {
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imapUnordered(TIMES_TEN, items(), 1);
            List<Integer> got = new ArrayList<>();
            List<IllegalArgumentException> thrown = new ArrayList<>();
            for (int calls = 0; calls < 20; calls++) { // NOTE: a bound, so a wrong iterator fails instead of looping
                try {
                    if (!results.hasNext()) {
                        break;
                    }
                    got.add(results.next(HANG));
                } catch (IllegalArgumentException e) {
                    thrown.add(e);
                }
            }
            assertEquals(List.of(10, 20, 30, 50, 60), got.stream().sorted().toList());
            assertEquals(1, thrown.size(), thrown.toString());
            assertTrue(thrown.getFirst().getMessage().contains(Unser.class.getName()), thrown.getFirst().getMessage());
            assertFalse(results.hasNext());
            assertStillServes(pool);
        }
    }

    @Test
    void with_chunksize_2_the_chunk_holding_the_unserializable_item_fails_as_a_unit() throws Exception {
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imap(TIMES_TEN, items(), 2); // chunks [1,2] [3,Unser] [5,6]
            assertEquals(10, results.next(HANG));
            assertEquals(20, results.next(HANG));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> results.next(HANG));
            assertTrue(e.getMessage().contains(Unser.class.getName()), e.getMessage());
            assertEquals(50, results.next(HANG), "3 went down with its chunk");
            assertEquals(60, results.next(HANG));
            assertFalse(results.hasNext());
            assertStillServes(pool);
        }
    }

    @Test
    void the_items_after_the_unserializable_one_run_and_the_pool_still_serves() throws Exception {
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imap(TIMES_TEN, items(), 1);
            List<Object> got = new ArrayList<>();
            for (int calls = 0; calls < 20; calls++) {
                try {
                    if (!results.hasNext()) {
                        break;
                    }
                    got.add(results.next(HANG));
                } catch (IllegalArgumentException e) {
                    got.add("failed");
                }
            }
            assertEquals(List.of(10, 20, 30, "failed", 50, 60), got);
            assertEquals(5, pool.stats().tasksSubmitted(), "every chunk but the unserializable one reached a worker");
            assertStillServes(pool);
        }
    }

    @Test
    void an_item_too_deeply_nested_to_serialize_fails_saying_so_and_only_its_chunk() throws Exception {
        Node head = new Node();
        Node node = head;
        for (int i = 0; i < 500_000; i++) {
            node.next = new Node();
            node = node.next;
        }
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imap(TIMES_TEN, List.of(1, 2, head, 4), 1);
            assertEquals(10, results.next(HANG));
            assertEquals(20, results.next(HANG));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> results.next(HANG));
            assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
            assertEquals(40, results.next(HANG), "the error neither ended the reader nor the iteration");
            assertFalse(results.hasNext());
        }
    }

    /** Serializable, but a long chain of them overflows the stack of Java serialization. */
    static final class Node implements Serializable {
        Node next;
    }

    @Test
    void the_executors_map_stream_throws_at_the_unserializable_item_and_shuts_down_without_hanging() throws Exception {
        List<Integer> got = new ArrayList<>();
        ProcessPoolExecutor ex = new ProcessPoolExecutor(2);
        try {
            Stream<Integer> results = ex.map(TIMES_TEN, items(), 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> results.forEach(got::add));
            assertTrue(e.getMessage().contains(Unser.class.getName()), e.getMessage());
            assertEquals(List.of(10, 20, 30), got);
            assertEquals(List.of(4, 6), ex.map(x -> x * 2, List.of(2, 3)).toList(), "the executor still serves");
        } finally {
            ex.shutdown();
        }
        assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS), "the abandoned stream holds nothing up");
    }

    private static void assertStillServes(Pool pool) throws Exception {
        assertEquals(List.of(2, 4, 6), pool.map(x -> x * 2, List.of(1, 2, 3)));
    }
}
