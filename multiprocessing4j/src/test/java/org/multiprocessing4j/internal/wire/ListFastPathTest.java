package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Lists and map entries on ObjectCodec's fast path: equal on arrival, in the documented class. */
class ListFastPathTest {
    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();
    private static final Class<?> UNMODIFIABLE = Collections.unmodifiableList(new ArrayList<>()).getClass();

    @Test
    void mutable_lists_arrive_as_equal_ArrayLists() throws Exception {
        List<Object> mixed = new ArrayList<>(Arrays.asList(1, "two", null, 3L, new int[0].length, List.of("in")));
        for (List<?> sent : List.of(mixed, Arrays.asList("a", null, "c"), new ArrayList<>(List.of(1, 2, 3, 4)).subList(1, 3),
                new ArrayList<>())) {
            Object back = onFastPath(sent);
            assertSame(ArrayList.class, back.getClass(), sent.getClass().getName());
            assertEquals(sent, back);
        }
    }

    @Test
    void unmodifiable_lists_arrive_as_equal_unmodifiable_lists() throws Exception {
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        for (List<?> sent : List.of(List.of(), List.of("a"), List.of("a", "b"), List.of(1, 2, 3), List.of(1, 2, 3).subList(1, 3),
                Collections.emptyList(), Collections.singletonList(5L), Collections.unmodifiableList(withNull),
                Collections.unmodifiableList(new LinkedList<>(List.of("x", "y"))), Stream.of("s", null).toList())) {
            List<?> back = (List<?>) onFastPath(sent);
            assertSame(UNMODIFIABLE, back.getClass(), sent.getClass().getName());
            assertEquals(sent, back);
            assertThrows(UnsupportedOperationException.class, () -> back.remove(0));
        }
    }

    @Test
    void a_list_of_only_Integers_or_only_Longs_is_packed_at_four_or_eight_bytes_an_element() throws Exception {
        List<Integer> ints = IntStream.range(-500, 125_000).boxed().collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        byte[] encoded = codec.encode(ints, "a chunk");
        assertEquals(ObjectCodec.INT_LIST, encoded[0]);
        assertEquals(6 + 4 * ints.size(), encoded.length);
        assertEquals(ints, codec.decode(encoded, loader));

        List<Long> longs = LongStream.of(Long.MIN_VALUE, 0, Long.MAX_VALUE).boxed().toList();
        encoded = codec.encode(longs, "longs");
        assertEquals(ObjectCodec.LONG_LIST, encoded[0]);
        assertEquals(6 + 8 * longs.size(), encoded.length);
        assertEquals(longs, codec.decode(encoded, loader));

        List<Object> notOnlyInts = new ArrayList<>(List.of(1, 2));
        notOnlyInts.add(null);
        assertEquals(ObjectCodec.LIST, codec.encode(notOnlyInts, "x")[0]);
        assertEquals(notOnlyInts, codec.decode(codec.encode(notOnlyInts, "x"), loader));
        List<Number> intsAndLongs = List.of(1, 2L);
        assertEquals(ObjectCodec.LIST, codec.encode(intsAndLongs, "x")[0]);
        assertEquals(intsAndLongs, codec.decode(codec.encode(intsAndLongs, "x"), loader));
    }

    @Test
    void nested_lists_and_arrays_round_trip() throws Exception {
        List<Object> nested = new ArrayList<>(List.of(List.of(1, 2), new ArrayList<>(List.of("a", List.of(3L)))));
        assertEquals(nested, onFastPath(nested));
        List<int[]> arrays = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            arrays.add(new int[] {i, -i});
        }
        @SuppressWarnings("unchecked")
        List<int[]> back = (List<int[]>) onFastPath(arrays);
        for (int i = 0; i < arrays.size(); i++) {
            assertTrue(Arrays.equals(arrays.get(i), back.get(i)));
        }
    }

    @Test
    void an_Object_array_arrives_as_an_equal_Object_array_and_a_typed_array_keeps_its_type() throws Exception {
        Object[] mixed = {1, "two", null, List.of(3L), new int[] {4}};
        Object[] back = (Object[]) onFastPath(mixed);
        assertSame(Object[].class, back.getClass());
        assertEquals(mixed.length, back.length);
        assertEquals(Arrays.asList(mixed).subList(0, 4), Arrays.asList(back).subList(0, 4));
        assertTrue(Arrays.equals((int[]) mixed[4], (int[]) back[4]));

        Object[] ints = IntStream.range(0, 1000).boxed().toArray();
        byte[] encoded = codec.encode(ints, "ints");
        assertEquals(ObjectCodec.INT_LIST, encoded[0]);
        assertEquals(Containers.OBJECT_ARRAY, encoded[1]);
        assertTrue(Arrays.equals(ints, (Object[]) codec.decode(encoded, loader)));

        String[] typed = {"a", "b"};
        encoded = codec.encode(typed, "typed");
        assertEquals(ObjectCodec.OBJECT, encoded[0]);
        assertSame(String[].class, codec.decode(encoded, loader).getClass());
    }

    @Test
    void map_entries_arrive_as_their_own_kind() throws Exception {
        Object simple = onFastPath(new AbstractMap.SimpleEntry<>("k", 1));
        assertSame(AbstractMap.SimpleEntry.class, simple.getClass());
        assertEquals(Map.entry("k", 1), simple);
        Object immutable = onFastPath(new AbstractMap.SimpleImmutableEntry<>(null, List.of(2)));
        assertSame(AbstractMap.SimpleImmutableEntry.class, immutable.getClass());
        assertEquals(new AbstractMap.SimpleEntry<>(null, List.of(2)), immutable);
        Object holder = onFastPath(Map.entry(3, "three"));
        assertSame(Map.entry(0, 0).getClass(), holder.getClass());
        assertEquals(Map.entry(3, "three"), holder);
    }

    @Test
    void a_starmap_chunk_of_Map_entry_pairs_round_trips_though_Map_entry_is_not_Serializable() throws Exception {
        List<Map.Entry<Integer, Integer>> pairs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pairs.add(Map.entry(i, i * i));
        }
        assertEquals(pairs, onFastPath(pairs));
    }

    @Test
    void other_lists_and_subclasses_keep_their_class_through_the_serializer() throws Exception {
        for (List<Integer> sent : List.of(new LinkedList<>(List.of(1, 2)), new MyList(), new java.util.Vector<>(List.of(1)))) {
            byte[] encoded = codec.encode(sent, "a list");
            assertEquals(ObjectCodec.OBJECT, encoded[0]);
            Object back = codec.decode(encoded, loader);
            assertSame(sent.getClass(), back.getClass());
            assertEquals(sent, back);
        }
    }

    @Test
    void serializer_objects_in_an_immutable_list_go_in_one_serializer_call_and_keep_shared_references() throws Exception {
        Box shared = new Box(new int[] {1});
        List<Object> sent = List.of(1, shared, "x", shared);
        byte[] encoded = codec.encode(sent, "a list");
        assertEquals(ObjectCodec.WITH_OBJECTS, encoded[0]);
        List<?> back = (List<?>) codec.decode(encoded, loader);
        assertEquals(1, back.get(0));
        assertSame(back.get(1), back.get(3), "one serializer graph keeps the sharing");
        assertInstanceOf(Box.class, back.get(1));
    }

    @Test
    void a_mutable_list_holding_serializer_objects_goes_whole_through_the_serializer() throws Exception {
        List<Object> sent = new ArrayList<>(List.of(new Box(new int[0]), 2));
        byte[] encoded = codec.encode(sent, "a list");
        assertEquals(ObjectCodec.OBJECT, encoded[0], "a serializer object might refer back to the list");
        assertEquals(ArrayList.class, codec.decode(encoded, loader).getClass());
    }

    @Test
    void a_list_containing_itself_goes_through_the_serializer_and_keeps_the_cycle() throws Exception {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(1);
        cyclic.add(cyclic);
        byte[] encoded = codec.encode(cyclic, "a cycle");
        assertEquals(ObjectCodec.OBJECT, encoded[0]);
        List<?> back = (List<?>) codec.decode(encoded, loader);
        assertSame(back, back.get(1));
    }

    @Test
    void nesting_deeper_than_the_limit_goes_through_the_serializer() throws Exception {
        List<Object> deep = new ArrayList<>();
        List<Object> current = deep;
        for (int i = 0; i < FastPathWriter.MAX_DEPTH + 5; i++) {
            List<Object> next = new ArrayList<>();
            current.add(next);
            current = next;
        }
        byte[] encoded = codec.encode(deep, "deep");
        assertEquals(ObjectCodec.OBJECT, encoded[0]);
        assertEquals(deep, codec.decode(encoded, loader));
    }

    private Object onFastPath(Object value) throws Exception {
        byte[] encoded = codec.encode(value, "a test value");
        assertTrue(encoded[0] != ObjectCodec.OBJECT && encoded[0] != ObjectCodec.WITH_OBJECTS, "expected the fast path, got tag " + encoded[0]);
        return codec.decode(encoded, loader);
    }

    record Box(int[] values) implements Serializable {
    }

    static final class MyList extends ArrayList<Integer> {
        MyList() {
            add(42);
        }
    }
}
