package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.RemoteException;
import org.multiprocessing4j.SerializableRunnable;

class ObjectCodecTest {
    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void fast_path_values_round_trip_exactly() throws Exception {
        for (Object v : new Object[] {null, 42, -7L, 3.5, true, false, "", "héllo ✓", Integer.MIN_VALUE, Long.MAX_VALUE}) {
            assertEquals(v, roundTrip(v));
        }
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) roundTrip(new byte[] {1, 2, 3}));
        assertArrayEquals(new int[] {1, -2, 3}, (int[]) roundTrip(new int[] {1, -2, 3}));
        assertArrayEquals(new long[] {1, Long.MIN_VALUE}, (long[]) roundTrip(new long[] {1, Long.MIN_VALUE}));
        assertArrayEquals(new double[] {0.5, Double.NaN}, (double[]) roundTrip(new double[] {0.5, Double.NaN}));
        assertEquals(5, codec.encode(42, "x").length, "an int costs 5 bytes on the wire");
    }

    @Test
    void other_objects_go_through_the_serializer() throws Exception {
        assertEquals(List.of(1, 2, 3), roundTrip(List.of(1, 2, 3)));
        int captured = 5;
        SerializableRunnable r = () -> System.out.println(captured);
        assertInstanceOf(SerializableRunnable.class, roundTrip(r));
    }

    @Test
    void an_unserializable_object_fails_naming_its_class_and_what_was_sent() {
        Thread notSerializable = new Thread();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(List.of(notSerializable), "the result of task 7"));
        assertTrue(e.getMessage().contains("java.lang.Thread") && e.getMessage().contains("the result of task 7"), e.getMessage());
    }

    @Test
    void corrupt_input_fails_with_IOException_never_a_huge_allocation() {
        byte[] hugeLength = {ObjectCodec.BYTES, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
        assertThrows(IOException.class, () -> codec.decode(hugeLength, loader));
        assertThrows(IOException.class, () -> codec.decode(new byte[] {99}, loader));
        assertThrows(IOException.class, () -> codec.decode(new byte[0], loader));
    }

    @Test
    void a_throwable_arrives_as_itself_with_the_throwers_stack_trace() throws Exception {
        ThrowableCodec throwables = new ThrowableCodec(codec);
        IllegalStateException original = new IllegalStateException("bad state", new IOException("disk"));
        Throwable back = throwables.decode(throwables.encode(original), loader);
        assertInstanceOf(IllegalStateException.class, back);
        assertEquals("bad state", back.getMessage());
        assertInstanceOf(IOException.class, back.getCause());
        assertArrayEquals(original.getStackTrace(), back.getStackTrace());
    }

    @Test
    void a_throwable_whose_class_cannot_be_loaded_arrives_as_RemoteException() throws Exception {
        ThrowableCodec throwables = new ThrowableCodec(codec);
        CustomFailure original = new CustomFailure("custom", new ArithmeticException("inner"));
        ClassLoader blind = new ClassLoader(ClassLoader.getPlatformClassLoader()) { };
        Throwable back = throwables.decode(throwables.encode(original), blind);
        RemoteException remote = assertInstanceOf(RemoteException.class, back);
        assertEquals(CustomFailure.class.getName(), remote.remoteClassName());
        assertEquals("custom", remote.remoteMessage());
        assertArrayEquals(original.getStackTrace(), remote.getStackTrace());
        assertEquals(ArithmeticException.class.getName(), ((RemoteException) remote.getCause()).remoteClassName());
    }

    @Test
    void a_throwable_holding_something_unserializable_still_arrives_described() throws Exception {
        ThrowableCodec throwables = new ThrowableCodec(codec);
        Throwable back = throwables.decode(throwables.encode(new HoldsThread("held")), loader);
        RemoteException remote = assertInstanceOf(RemoteException.class, back);
        assertEquals(HoldsThread.class.getName(), remote.remoteClassName());
        assertNull(remote.getCause());
    }

    @Test
    void encodeAfter_writes_the_prefix_then_exactly_what_encode_writes() throws Exception {
        byte[] prefix = {9, 8, 7, 6, 5};
        java.util.ArrayList<Object> mixed = new java.util.ArrayList<>(List.of(1, "two"));
        mixed.add(new java.util.Date(3)); // a serializer object inside a tree: WITH_OBJECTS
        Object[] values = {null, 42, -7L, 3.5, true, (byte) 4, (short) -5, 'c', 1.5f, "héllo", new byte[] {1, 2},
            new int[] {1, -2}, new long[] {3, Long.MIN_VALUE}, new double[] {0.25}, List.of(1, 2, 3),
            new java.util.ArrayList<>(List.of(4L, 5L)), List.of(new byte[1 << 16], "x"), mixed,
            new java.util.Date(1234)}; // the last one: the serializer's bytes (OBJECT)
        for (Object v : values) {
            byte[] plain = codec.encode(v, "test value");
            byte[] framed = codec.encodeAfter(prefix, v, "test value");
            assertArrayEquals(prefix, java.util.Arrays.copyOf(framed, prefix.length), "prefix kept for " + v);
            assertArrayEquals(plain, java.util.Arrays.copyOfRange(framed, prefix.length, framed.length), "encoding of " + v);
            Object back = codec.decode(framed, prefix.length, framed.length - prefix.length, loader);
            assertArrayEquals(plain, codec.encode(back, "test value"), "decoded from after the prefix: " + v);
        }
    }

    @Test
    void encodeMessage_gives_the_bytes_of_encodeAfter_with_large_arrays_referenced_and_any_slice_copies_right() throws Exception {
        byte[] prefix = {1, 2, 3};
        byte[] big = new byte[(64 << 10) + 3];
        byte[] big2 = new byte[200_000];
        new java.util.SplittableRandom(1).nextBytes(big);
        new java.util.SplittableRandom(2).nextBytes(big2);
        java.util.ArrayList<Object> withObject = new java.util.ArrayList<>(List.of(big, "a"));
        withObject.add(new java.util.Date(5)); // serializer objects travel too: nothing is referenced
        byte[] small = {4, 5};
        SerializableRunnable capturing = () -> System.out.println(big2.length + small.length);
        Object[] values = {big, small, List.of(big), new java.util.ArrayList<>(List.of(big, 7, big2, "x")), withObject,
            List.of(big, big), Map.entry("k", big2), capturing, 42, "text", new java.util.Date(9)};
        for (Object v : values) {
            byte[] expected = codec.encodeAfter(prefix, v, "test value");
            EncodedMessage m = codec.encodeMessage(prefix, v, "test value");
            assertEquals(expected.length, m.length(), "length of " + v);
            assertArrayEquals(expected, m.toByteArray(), "bytes of " + v);
            assertArrayEquals(prefix, java.util.Arrays.copyOf(m.head(), prefix.length), "prefix in the head of " + v);
            java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            for (int k = 0; k < 20; k++) {
                int from = random.nextInt(expected.length);
                int n = random.nextInt(expected.length - from + 1);
                byte[] slice = new byte[n + 2];
                m.copyTo(from, java.lang.foreign.MemorySegment.ofArray(slice), 1, n);
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, from, from + n), java.util.Arrays.copyOfRange(slice, 1, n + 1),
                        "bytes [" + from + ", " + (from + n) + ") of " + v);
            }
        }
        EncodedMessage referenced = codec.encodeMessage(prefix, List.of(big), "test value");
        assertTrue(referenced.head().length < big.length, "a large array is referenced, not copied");
    }

    @Test
    void encodeMessage_with_shared_bytes_gives_the_bytes_of_encodeAfter_with_both_in_front_and_references_the_shared_bytes()
            throws Exception {
        byte[] prefix = {9, 8, 7, 6};
        byte[] shared = new byte[300];
        new java.util.SplittableRandom(4).nextBytes(shared);
        byte[] both = java.util.Arrays.copyOf(prefix, prefix.length + shared.length);
        System.arraycopy(shared, 0, both, prefix.length, shared.length);
        byte[] a = {1};
        byte[] b = {2};
        java.util.ArrayList<Object> manyArrays = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            manyArrays.add(new byte[] {(byte) i}); // more mutable objects than the writer tracks in its small table
        }
        java.util.ArrayList<Object> withObject = new java.util.ArrayList<>(List.of(7, "a"));
        withObject.add(new java.util.Date(5));
        Object[] values = {PackedList.ofInts(new int[] {3}), PackedList.ofInts(new int[] {1, 2, 3, 4}), PackedList.ofLongs(new long[] {5L}),
            new java.util.ArrayList<>(List.of(a, b)), new java.util.ArrayList<>(List.of(a, b, a)), manyArrays,
            List.of(1, new java.util.Date(3), "x"), withObject, List.of(new byte[(64 << 10) + 1]), 42, "text", new java.util.Date(9)};
        for (Object v : values) {
            byte[] expected = codec.encodeAfter(both, v, "test value");
            EncodedMessage m = codec.encodeMessage(prefix, shared, v, "test value");
            assertEquals(expected.length, m.length(), "length of " + v);
            assertArrayEquals(expected, m.toByteArray(), "bytes of " + v);
            assertArrayEquals(prefix, java.util.Arrays.copyOf(m.head(), prefix.length), "prefix in the head of " + v);
            Object back = codec.decode(expected, both.length, expected.length - both.length, loader);
            assertArrayEquals(codec.encode(roundTrip(v), "x"), codec.encode(back, "x"), "decoded " + v);
        }
        EncodedMessage chunk = codec.encodeMessage(prefix, shared, PackedList.ofInts(new int[] {3}), "test value");
        assertTrue(chunk.head().length < shared.length, "the shared bytes are referenced, not copied: head of " + chunk.head().length);
        assertTrue(chunk.head().length <= 64 + prefix.length + 6 + 4, "a one-item chunk carries no large buffer: " + chunk.head().length);
    }

    @Test
    void a_list_holding_one_mutable_object_twice_keeps_the_sharing_wherever_it_sits() throws Exception {
        byte[] a = {1};
        byte[] b = {2};
        byte[] c = {3};
        for (List<Object> sent : List.<List<Object>>of(new java.util.ArrayList<>(List.of(a, a)), new java.util.ArrayList<>(List.of(a, b, a)),
                new java.util.ArrayList<>(List.of(a, b, c, b)))) {
            @SuppressWarnings("unchecked")
            List<Object> back = (List<Object>) roundTrip(sent);
            int first = sent.indexOf(sent.get(sent.size() - 1));
            assertTrue(back.get(first) == back.get(sent.size() - 1), "one array, met twice, arrives as one array: " + sent.size());
        }
    }

    private Object roundTrip(Object v) throws Exception {
        return codec.decode(codec.encode(v, "test value"), loader);
    }

    static final class CustomFailure extends RuntimeException {
        CustomFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class HoldsThread extends RuntimeException {
        @SuppressWarnings("unused")
        private final Thread thread = new Thread();

        HoldsThread(String message) {
            super(message);
        }
    }
}
