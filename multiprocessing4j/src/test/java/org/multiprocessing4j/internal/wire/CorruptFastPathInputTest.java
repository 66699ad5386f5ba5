package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.SerializableFunction;

/**
 * Hostile or damaged bytes given to the fast-path decoder fail with an IOException (or
 * ClassNotFoundException for a class name that does not exist), never with a large allocation, a
 * runtime exception or a lambda the capturing class does not declare.
 */
class CorruptFastPathInputTest {
    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void counts_larger_than_the_message_fail_before_allocating() {
        for (byte tag : new byte[] {ObjectCodec.LIST, ObjectCodec.INT_LIST, ObjectCodec.LONG_LIST}) {
            byte[] message = le(12).put(tag).put((byte) 0).putInt(Integer.MAX_VALUE).array();
            assertThrows(IOException.class, () -> codec.decode(message, loader), "tag " + tag);
            byte[] negative = le(12).put(tag).put((byte) 0).putInt(-1).array();
            assertThrows(IOException.class, () -> codec.decode(negative, loader), "tag " + tag);
        }
        byte[] hugeShape = le(10).put(ObjectCodec.LAMBDA).putInt(Integer.MAX_VALUE).array();
        assertThrows(IOException.class, () -> codec.decode(hugeShape, loader));
        byte[] hugeTree = le(10).put(ObjectCodec.WITH_OBJECTS).putInt(1 << 30).array();
        assertThrows(IOException.class, () -> codec.decode(hugeTree, loader));
    }

    @Test
    void truncated_messages_and_trailing_bytes_fail() throws Exception {
        for (Object value : List.of(42, 7L, 2.5, 'c', (short) 3, 1.5f, "text", List.of(1, 2), List.of("a", 2L),
                Map.entry(1, "x"), capturing(5))) {
            byte[] encoded = codec.encode(value, "x");
            for (int length = 0; length < encoded.length; length++) {
                int cut = length;
                assertThrows(IOException.class, () -> codec.decode(encoded, 0, cut, loader), value + " cut to " + cut);
            }
            byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
            assertThrows(IOException.class, () -> codec.decode(longer, loader), value + " with a trailing byte");
        }
    }

    @Test
    void a_reference_without_serializer_objects_or_out_of_range_fails() throws Exception {
        byte[] bare = le(5).put(ObjectCodec.REF).putInt(0).array();
        assertThrows(IOException.class, () -> codec.decode(bare, loader));
        byte[] objects = new JdkSerializer().toBytes(new Object[] {"only"});
        byte[] outOfRange = le(10 + objects.length).put(ObjectCodec.WITH_OBJECTS).putInt(5)
                .put(ObjectCodec.REF).putInt(1).put(objects).array();
        assertThrows(IOException.class, () -> codec.decode(outOfRange, loader));
        byte[] notAnArray = new JdkSerializer().toBytes("not an array");
        byte[] wrongObjects = le(10 + notAnArray.length).put(ObjectCodec.WITH_OBJECTS).putInt(5)
                .put(ObjectCodec.REF).putInt(0).put(notAnArray).array();
        assertThrows(IOException.class, () -> codec.decode(wrongObjects, loader));
    }

    @Test
    void nesting_deeper_than_the_limit_fails() {
        ByteBuffer b = le(7 * 200 + 1);
        for (int i = 0; i < 200; i++) {
            b.put(ObjectCodec.LIST).put((byte) 0).putInt(1);
        }
        b.put(ObjectCodec.NULL);
        assertThrows(IOException.class, () -> codec.decode(Arrays.copyOf(b.array(), b.position()), loader));
    }

    @Test
    void bad_kinds_and_a_Map_entry_holding_null_fail() {
        byte[] badListKind = le(6).put(ObjectCodec.LIST).put((byte) 9).putInt(0).array();
        assertThrows(IOException.class, () -> codec.decode(badListKind, loader));
        byte[] badEntryKind = le(4).put(ObjectCodec.ENTRY).put((byte) 9).put(ObjectCodec.NULL).put(ObjectCodec.NULL).array();
        assertThrows(IOException.class, () -> codec.decode(badEntryKind, loader));
        byte[] nullInMapEntry = le(4).put(ObjectCodec.ENTRY).put((byte) Containers.MAP_ENTRY).put(ObjectCodec.NULL)
                .put(ObjectCodec.NULL).array();
        assertThrows(IOException.class, () -> codec.decode(nullInMapEntry, loader));
    }

    @Test
    void a_forged_lambda_shape_is_refused_by_the_capturing_class() throws Exception {
        byte[] encoded = codec.encode(capturing(3), "a task");
        byte[] forged = replace(encoded, "lambda$capturing$", "lambda$capturinG$");
        assertThrows(InvalidObjectException.class, () -> codec.decode(forged, loader));
        byte[] wrongType = replace(encoded, "java/lang/Integer", "java/lang/Intxger");
        assertThrows(InvalidObjectException.class, () -> codec.decode(wrongType, loader));
        byte[] noSuchClass = replace(encoded, "CorruptFastPathInputTest", "CorruptFastPathInputTesX");
        assertThrows(ClassNotFoundException.class, () -> codec.decode(noSuchClass, loader));
        byte[] noLambdas = replace(encoded, "CorruptFastPathInputTest", "CorruptFastPathInputTesZ");
        assertThrows(InvalidObjectException.class, () -> codec.decode(noLambdas, loader));
    }

    @Test
    void a_lambda_rebuilt_with_an_argument_of_the_wrong_type_fails() throws Exception {
        byte[] encoded = codec.encode(capturing(3), "a task");
        int at = encoded.length - 5; // the captured int: INT tag, then 4 bytes
        assertEquals(ObjectCodec.INT, encoded[at]);
        byte[] asLong = Arrays.copyOf(encoded, encoded.length + 4);
        asLong[at] = ObjectCodec.LONG;
        assertThrows(InvalidObjectException.class, () -> codec.decode(asLong, loader));
    }

    @Test
    void random_damage_to_fast_path_messages_never_escapes_as_anything_but_IOException() throws Exception {
        List<Object> samples = new ArrayList<>(List.of(List.of(1, 2, 3), List.of("a", List.of(2L), Map.entry("k", 'v')),
                new ArrayList<>(List.of(new int[] {1, 2}, new double[] {3}, "s")), capturing(9)));
        SerializableFunction<Integer, Integer> inner = x -> x * 2;
        samples.add((SerializableCallable<Integer>) () -> inner.apply(21));
        Random random = new Random(42);
        for (Object sample : samples) {
            byte[] encoded = codec.encode(sample, "sample");
            for (int trial = 0; trial < 3000; trial++) {
                byte[] damaged = encoded.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                if (damaged[0] == ObjectCodec.OBJECT || damaged[0] == ObjectCodec.WITH_OBJECTS) {
                    continue; // the serializer's bytes: its own robustness, not the fast path's
                }
                try {
                    Object back = codec.decode(damaged, loader);
                    if (back instanceof SerializableCallable<?> c) {
                        callQuietly(c);
                    }
                } catch (IOException | ClassNotFoundException expected) {
                    // the only ways to fail
                } catch (Throwable t) {
                    fail("damaged " + sample + " " + Arrays.toString(damaged) + " threw " + t, t);
                }
            }
        }
    }

    private static void callQuietly(SerializableCallable<?> c) {
        try {
            c.call();
        } catch (Exception e) {
            // a damaged but well-formed message may make a lambda that fails when run: that is not the decoder's
        }
    }

    private static SerializableCallable<Integer> capturing(int k) {
        return () -> k * k;
    }

    private static byte[] replace(byte[] encoded, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(f.length, t.length);
        byte[] out = encoded.clone();
        int found = 0;
        for (int i = 0; i + f.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                found++;
            }
        }
        assertTrue(found > 0, from + " not in the message");
        return out;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}

/** A class whose name is as long as the test's, with no serializable lambda: a forged shape may name it. */
final class CorruptFastPathInputTesZ {
}
