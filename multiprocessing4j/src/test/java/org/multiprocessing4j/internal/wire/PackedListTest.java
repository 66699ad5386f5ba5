package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PackedList behaves as an ArrayList of its boxed numbers, and the codec carries it both ways. */
class PackedListTest {
    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void reads_equality_and_hash_are_those_of_the_boxed_list() {
        PackedList<Long> longs = PackedList.ofLongs(new long[] {1, -2, 1L << 40});
        List<Long> boxed = new ArrayList<>(List.of(1L, -2L, 1L << 40));
        assertEquals(boxed, longs);
        assertEquals(longs, boxed);
        assertEquals(boxed.hashCode(), longs.hashCode());
        assertEquals(1L << 40, longs.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> longs.get(3));
        PackedList<Integer> ints = PackedList.ofInts(new int[] {1, -2});
        assertEquals(List.of(1, -2), ints);
        assertEquals(List.of(1, -2).hashCode(), ints.hashCode());
        assertNotEquals(ints, PackedList.ofLongs(new long[] {1, -2}), "Integers are not Longs");
        assertEquals(PackedList.ofInts(new int[0]), PackedList.ofLongs(new long[0]), "two empty lists are equal");
    }

    @Test
    void it_is_as_mutable_as_an_array_list() {
        PackedList<Long> list = PackedList.ofLongs(new long[] {1, 2, 3});
        assertEquals(2L, list.set(1, 20L));
        assertEquals(List.of(1L, 20L, 3L), list);
        list.add(4L);
        list.remove(0);
        assertEquals(List.of(20L, 3L, 4L), list);
        list.set(0, null);
        assertNull(list.get(0));
        List<Object> raw = new ArrayList<>();
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Object> asObjects = (List) PackedList.ofInts(new int[] {7, 8});
        asObjects.set(1, "eight");
        raw.add(7);
        raw.add("eight");
        assertEquals(raw, asObjects);
        PackedList<Integer> cleared = PackedList.ofInts(new int[] {1, 2, 3, 4});
        cleared.subList(1, 3).clear();
        assertEquals(List.of(1, 4), cleared);
        PackedList<Integer> sorted = PackedList.ofInts(new int[] {3, 1, 2});
        sorted.sort(null);
        assertEquals(List.of(1, 2, 3), sorted);
    }

    @Test
    void concat_keeps_one_array_when_every_part_is_packed_alike_and_boxes_otherwise() {
        List<?>[] alike = {PackedList.ofLongs(new long[] {1, 2}), PackedList.ofLongs(new long[0]), PackedList.ofLongs(new long[] {3})};
        List<Object> packed = PackedList.concat(alike);
        assertInstanceOf(PackedList.class, packed);
        assertEquals(List.of(1L, 2L, 3L), packed);
        List<?>[] mixed = {PackedList.ofLongs(new long[] {1}), new ArrayList<>(List.of("x")), PackedList.ofInts(new int[] {2})};
        List<Object> boxed = PackedList.concat(mixed);
        assertInstanceOf(ArrayList.class, boxed);
        assertEquals(Arrays.asList(1L, "x", 2), boxed);
    }

    @Test
    void concat_of_a_map_s_chunks_keeps_their_arrays_and_reads_writes_and_travels_as_one_list() throws Exception {
        for (int length : new int[] {4096, 4097, 65_537, 125_000, 999_983}) {
            List<?>[] chunks = {PackedList.ofLongs(longs(0, length)), PackedList.ofLongs(longs(length, length)),
                    PackedList.ofLongs(longs(2L * length, 7))};
            List<Object> all = PackedList.concat(chunks);
            int n = 2 * length + 7;
            assertEquals(n, all.size());
            assertEquals(3, ((PackedList<?>) all).packedLongs().length, "the chunks' arrays, not a copy");
            for (int i : new int[] {0, 1, length - 1, length, length + 1, 2 * length - 1, 2 * length, n - 1}) {
                assertEquals((long) i, all.get(i), "element " + i + " of parts of " + length);
            }
            java.util.Random random = new java.util.Random(length);
            for (int k = 0; k < 10_000; k++) {
                int i = random.nextInt(n);
                assertEquals((long) i, all.get(i), "element " + i + " of parts of " + length);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> all.get(n));
            assertEquals((long) length, all.set(length, -1L));
            assertEquals(-1L, all.get(length));
            assertEquals((long) length - 1, all.get(length - 1), "the set stayed in its part");
            all.set(length, (long) length);
            List<Object> copy = new ArrayList<>(all);
            assertEquals(copy.hashCode(), all.hashCode());
            assertEquals(copy, all);
            assertEquals(all, copy);
            byte[] encoded = codec.encode(all, "test");
            assertEquals(copy, codec.decode(encoded, loader), "written part by part, read as one list");
            assertEquals(copy, codec.decodePacked(encoded, 0, encoded.length, loader));
        }
        List<?>[] ints = {PackedList.ofInts(new int[5000]), PackedList.ofInts(new int[] {1, 2})};
        List<Object> twoParts = PackedList.concat(ints);
        assertEquals(5002, twoParts.size());
        assertEquals(2, twoParts.get(5001));
        twoParts.add(3);
        assertEquals(List.of(1, 2, 3), twoParts.subList(5000, 5003), "boxed on the first add, as one list");
        List<?>[] unequal = {PackedList.ofInts(new int[5000]), PackedList.ofInts(new int[4999]), PackedList.ofInts(new int[] {9})};
        List<Object> copied = PackedList.concat(unequal);
        assertEquals(9, copied.get(9999));
        assertEquals(1, ((PackedList<?>) copied).packedInts().length, "parts of unequal lengths are copied into one array");
    }

    private static long[] longs(long from, int count) {
        long[] a = new long[count];
        for (int i = 0; i < count; i++) {
            a[i] = from + i;
        }
        return a;
    }

    @Test
    void the_builder_packs_a_run_of_one_number_type_and_boxes_from_the_first_other_value() {
        PackedList.Builder longs = new PackedList.Builder(3);
        longs.add(1L);
        longs.add(2L);
        assertInstanceOf(PackedList.class, longs.build());
        assertEquals(List.of(1L, 2L), longs.build(), "fewer values than expected are trimmed");
        PackedList.Builder mixed = new PackedList.Builder(2);
        mixed.add(1);
        mixed.add(2L);
        mixed.add(null);
        List<Object> boxed = mixed.build();
        assertInstanceOf(ArrayList.class, boxed);
        assertEquals(Arrays.asList(1, 2L, null), boxed, "more values than expected, of three kinds");
        PackedList.Builder overflow = new PackedList.Builder(1);
        overflow.add(7);
        overflow.add(8);
        assertEquals(List.of(7, 8), overflow.build());
        assertEquals(List.of(), new PackedList.Builder(0).build());
        PackedList.Builder strings = new PackedList.Builder(1);
        strings.add("a");
        assertEquals(List.of("a"), strings.build());
        PackedList.Builder grows = new PackedList.Builder(2);
        for (long v = 0; v < 100; v++) {
            grows.add(v);
        }
        assertInstanceOf(PackedList.class, grows.build(), "past the expected count the array grows, still packed");
        assertEquals(100, grows.build().size());
    }

    @Test
    void a_cleared_builder_collects_the_next_chunk_of_any_kind() {
        PackedList.Builder chunk = new PackedList.Builder(2);
        chunk.add(1);
        chunk.add(2);
        assertEquals(List.of(1, 2), chunk.build());
        chunk.clear();
        chunk.add(3L);
        assertInstanceOf(PackedList.class, chunk.build(), "a chunk of Longs after one of Integers is packed too");
        assertEquals(List.of(3L), chunk.build());
        chunk.clear();
        chunk.add("x");
        chunk.add(null);
        assertEquals(Arrays.asList("x", null), chunk.build());
        chunk.clear();
        chunk.add(4);
        chunk.add(5);
        assertInstanceOf(PackedList.class, chunk.build(), "packed again after a boxed chunk");
        assertEquals(List.of(4, 5), chunk.build());
        chunk.clear();
        assertEquals(List.of(), chunk.build());
    }

    @Test
    void the_codec_decodes_a_chunk_of_numbers_packed_and_carries_a_packed_list_as_an_array_list() throws Exception {
        byte[] longs = codec.encode(new ArrayList<>(List.of(5L, 6L)), "test");
        Object packed = codec.decodePacked(longs, 0, longs.length, loader);
        assertInstanceOf(PackedList.class, packed);
        assertEquals(List.of(5L, 6L), packed);
        assertInstanceOf(ArrayList.class, codec.decode(longs, loader), "plain decode is unchanged");

        byte[] ints = codec.encode(new ArrayList<>(List.of(5, 6)), "test");
        assertEquals(List.of(5, 6), codec.decodePacked(ints, 0, ints.length, loader));
        byte[] mixed = codec.encode(new ArrayList<>(Arrays.asList(5, null)), "test");
        assertInstanceOf(ArrayList.class, codec.decodePacked(mixed, 0, mixed.length, loader));
        byte[] immutable = codec.encode(List.of(5L), "test");
        @SuppressWarnings("unchecked")
        List<Object> unmodifiable = (List<Object>) codec.decodePacked(immutable, 0, immutable.length, loader);
        assertEquals(List.of(5L), unmodifiable);
        assertThrows(UnsupportedOperationException.class, () -> unmodifiable.add(6L), "an unmodifiable list stays one");

        byte[] resent = codec.encode(PackedList.ofLongs(new long[] {9, 10}), "test");
        Object back = codec.decode(resent, loader);
        assertInstanceOf(ArrayList.class, back);
        assertEquals(List.of(9L, 10L), back);
    }

    @Test
    void java_serialization_writes_an_array_list() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(PackedList.ofInts(new int[] {1, 2}));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Object back = in.readObject();
            assertInstanceOf(ArrayList.class, back);
            assertEquals(List.of(1, 2), back);
        }
    }
}
