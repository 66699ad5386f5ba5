package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.SerializableBiFunction;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.SerializableConsumer;
import org.multiprocessing4j.SerializableFunction;
import org.multiprocessing4j.SerializablePredicate;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.SerializableSupplier;

/** Serializable lambdas on ObjectCodec's fast path: what arrives behaves as what was sent, or the serializer carries it. */
class LambdaFastPathTest {
    /** Where a decoded consumer or runnable leaves its effect (the test class is loaded once per JVM). */
    static final AtomicReference<Object> SEEN = new AtomicReference<>();

    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void every_serializable_functional_interface_round_trips_capturing_and_not_on_the_fast_path() throws Exception {
        int k = 7;
        String word = "wörd";
        long big = Long.MAX_VALUE - 3;

        SerializableCallable<Long> callable = () -> (long) k * k;
        SerializableCallable<Long> plainCallable = () -> 49L;
        assertEquals(49L, fast(callable).call());
        assertEquals(49L, fast(plainCallable).call());

        SerializableSupplier<String> supplier = () -> word + k;
        SerializableSupplier<String> plainSupplier = () -> "constant";
        assertEquals("wörd7", fast(supplier).get());
        assertEquals("constant", fast(plainSupplier).get());

        SerializableFunction<Long, Long> function = x -> x - big;
        SerializableFunction<Integer, Integer> plainFunction = x -> x + 1;
        assertEquals(-3L, fast(function).apply(Long.MAX_VALUE - 6));
        assertEquals(5, fast(plainFunction).apply(4));

        SerializableBiFunction<Integer, Integer, String> biFunction = (a, b) -> word + (a + b + k);
        SerializableBiFunction<Integer, Integer, Integer> plainBiFunction = Integer::sum;
        assertEquals("wörd10", fast(biFunction).apply(1, 2));
        assertEquals(3, fast(plainBiFunction).apply(1, 2));

        SerializablePredicate<String> predicate = s -> s.startsWith(word);
        SerializablePredicate<String> plainPredicate = String::isEmpty;
        assertTrue(fast(predicate).test("wörds"));
        assertFalse(fast(plainPredicate).test("x"));

        SerializableConsumer<String> consumer = s -> SEEN.set(s + k);
        fast(consumer).accept("c");
        assertEquals("c7", SEEN.get());
        SerializableConsumer<String> plainConsumer = s -> SEEN.set(s);
        fast(plainConsumer).accept("plain");
        assertEquals("plain", SEEN.get());

        SerializableRunnable runnable = () -> SEEN.set(word);
        SerializableRunnable plainRunnable = () -> SEEN.set("ran");
        fast(runnable).run();
        assertEquals(word, SEEN.get());
        fast(plainRunnable).run();
        assertEquals("ran", SEEN.get());
    }

    @Test
    void a_small_capturing_task_costs_bytes_not_an_object_stream() {
        int i = 12;
        SerializableCallable<Long> task = () -> (long) i * i;
        byte[] encoded = codec.encode(task, "a task");
        assertEquals(ObjectCodec.LAMBDA, encoded[0]);
        assertTrue(encoded.length < 400, "encoded in " + encoded.length + " bytes");
        assertTrue(encoded.length < new JdkSerializerBytes().of(task), "smaller than JDK serialization's form");
    }

    @Test
    void method_references_of_every_kind_round_trip() throws Exception {
        SerializableFunction<Integer, Integer> staticRef = Math::abs;
        SerializableFunction<String, Integer> unboundRef = String::length;
        String receiver = "abc";
        SerializableFunction<String, String> boundRef = receiver::concat;
        SerializableSupplier<List<String>> constructorRef = ArrayList::new;
        SerializableFunction<Integer, int[]> arrayConstructorRef = int[]::new;

        assertEquals(5, fast(staticRef).apply(-5));
        assertEquals(4, fast(unboundRef).apply("four"));
        assertEquals("abcdef", fast(boundRef).apply("def"));
        assertEquals(new ArrayList<>(), fast(constructorRef).get());
        assertEquals(3, fast(arrayConstructorRef).apply(3).length);
    }

    @Test
    void a_lambda_capturing_lambdas_round_trips_each_on_the_fast_path() throws Exception {
        int offset = 100;
        SerializableFunction<Integer, Integer> inner = x -> x + offset;
        SerializableFunction<Integer, Integer> twice = x -> inner.apply(inner.apply(x));
        SerializableCallable<Integer> outer = () -> twice.apply(1) * 2;
        assertEquals(402, fast(outer).call());
        byte[] encoded = codec.encode(outer, "nested");
        assertEquals(3, count(encoded, ObjectCodec.LAMBDA), "three lambdas, each in the tree");
    }

    @Test
    void captured_arrays_strings_nulls_and_boxes_arrive_equal() throws Exception {
        int[] ints = {1, -2, 3};
        long[] longs = {Long.MIN_VALUE, 0};
        double[] doubles = {Double.NaN, -0.0};
        byte[] bytes = {9, 8};
        String text = "héllo ✓";
        String none = null;
        char c = 'Ж';
        short s = -300;
        byte b = -7;
        float f = 1.5f;
        boolean flag = true;
        double d = Math.PI;
        SerializableCallable<Object[]> task = () -> new Object[] {ints, longs, doubles, bytes, text, none, c, s, b, f, flag, d};
        Object[] back = fast(task).call();
        assertArrayEquals(ints, (int[]) back[0]);
        assertArrayEquals(longs, (long[]) back[1]);
        assertArrayEquals(doubles, (double[]) back[2]);
        assertArrayEquals(bytes, (byte[]) back[3]);
        assertEquals(text, back[4]);
        assertNull(back[5]);
        assertEquals(List.of(c, s, b, f, flag, d), java.util.Arrays.asList(back).subList(6, 12));
    }

    @Test
    void a_captured_serializable_object_travels_by_the_serializer_inside_the_tree() throws Exception {
        Order order = new Order(17, "bolts");
        Order other = new Order(18, "nuts");
        int quantity = 3;
        SerializableCallable<String> task = () -> order.item() + quantity + other.item();
        byte[] encoded = codec.encode(task, "a task");
        assertEquals(ObjectCodec.WITH_OBJECTS, encoded[0]);
        assertEquals("bolts3nuts", ((SerializableCallable<?>) codec.decode(encoded, loader)).call());
    }

    @Test
    void a_captured_unserializable_object_fails_naming_its_class_as_before() {
        Thread thread = new Thread();
        int n = 1;
        SerializableRunnable task = () -> System.out.println(thread.getName() + n);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(task, "the target of p"));
        assertTrue(e.getMessage().contains("java.lang.Thread") && e.getMessage().contains("the target of p"), e.getMessage());
    }

    @Test
    void an_array_captured_twice_keeps_its_sharing_through_the_serializer() throws Exception {
        int[] shared = {1};
        int[] alias = shared;
        SerializableCallable<Boolean> task = () -> {
            shared[0]++;
            return alias[0] == 2 && shared == alias;
        };
        byte[] encoded = codec.encode(task, "a task");
        assertEquals(ObjectCodec.OBJECT, encoded[0], "the fast path would copy the array twice");
        assertTrue(((SerializableCallable<Boolean>) codec.decode(encoded, loader)).call());
    }

    @Test
    void a_serializer_object_beside_a_mutable_fast_path_object_sends_the_whole_value_to_the_serializer() throws Exception {
        int[] counts = {0};
        Holder holder = new Holder(counts);
        SerializableCallable<Boolean> task = () -> holder.counts() == counts;
        byte[] encoded = codec.encode(task, "a task");
        assertEquals(ObjectCodec.OBJECT, encoded[0]);
        assertTrue(((SerializableCallable<Boolean>) codec.decode(encoded, loader)).call(), "the reference survived");
    }

    @Test
    void a_bound_method_reference_carries_its_receiver_through_the_serializer() throws Exception {
        StringBuilder target = new StringBuilder();
        SerializableConsumer<String> appender = target::append;
        byte[] encoded = codec.encode(appender, "a consumer");
        assertEquals(ObjectCodec.WITH_OBJECTS, encoded[0], "StringBuilder is not a fast-path value");
        SerializableConsumer<String> back = (SerializableConsumer<String>) codec.decode(encoded, loader);
        back.accept("x");
        assertEquals(0, target.length(), "the receiver is a copy, as with JDK serialization");
    }

    @Test
    void a_lambda_capturing_a_jdk_lock_atomic_or_blocking_queue_is_refused_naming_it() {
        java.util.concurrent.atomic.AtomicInteger counter = new java.util.concurrent.atomic.AtomicInteger();
        SerializableCallable<Integer> increment = counter::incrementAndGet;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(increment, "a task"));
        assertTrue(e.getMessage().contains("java.util.concurrent.atomic.AtomicInteger") && e.getMessage().contains("Value"),
                e.getMessage());
        java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        SerializableRunnable locked = () -> {
            lock.lock();
            lock.unlock();
        };
        assertThrows(IllegalArgumentException.class, () -> codec.encode(locked, "a target"));
        java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        SerializableRunnable offer = () -> queue.offer("x");
        assertThrows(IllegalArgumentException.class, () -> codec.encode(offer, "a target"));
    }

    @Test
    void a_lambda_whose_capturing_class_has_no_deserializeLambda_goes_through_the_serializer_as_before() throws Throwable {
        java.util.function.Supplier<String> manual = ManualLambdas.serializableSupplier("m");
        assertEquals("m?", manual.get());
        for (int attempt = 0; attempt < 2; attempt++) { // the first finds out, the second knows
            byte[] encoded = codec.encode(manual, "a manual lambda");
            assertEquals(ObjectCodec.OBJECT, encoded[0]);
            assertThrows(java.io.InvalidObjectException.class, () -> codec.decode(encoded, loader),
                    "JDK serialization cannot rebuild it either");
        }
        SerializableCallable<Object> capturingIt = () -> manual;
        assertEquals(ObjectCodec.WITH_OBJECTS, codec.encode(capturingIt, "x")[0], "inside a tree it rides with the serializer");
    }

    @Test
    void a_lambda_capturing_this_carries_its_object_through_the_serializer() throws Exception {
        SerializableCallable<String> task = new Greeter("hi").greeting(3);
        byte[] encoded = codec.encode(task, "a task");
        assertEquals(ObjectCodec.WITH_OBJECTS, encoded[0]);
        assertEquals("hi3", ((SerializableCallable<?>) codec.decode(encoded, loader)).call());

        SerializableCallable<String> ofUnserializable = new Unserializable().task();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(ofUnserializable, "a task"));
        assertTrue(e.getMessage().contains(Unserializable.class.getName()), e.getMessage());
    }

    @Test
    void a_captured_enum_constant_arrives_as_the_same_constant() throws Exception {
        java.util.concurrent.TimeUnit unit = java.util.concurrent.TimeUnit.SECONDS;
        SerializableCallable<Object> task = () -> unit;
        assertSame(unit, ((SerializableCallable<?>) codec.decode(codec.encode(task, "a task"), loader)).call());
    }

    @Test
    void a_lambda_that_is_not_serializable_is_refused_as_before() {
        Runnable plain = () -> { };
        assertThrows(IllegalArgumentException.class, () -> codec.encode(plain, "a target"));
    }

    @Test
    void each_decode_makes_a_new_lambda_capturing_fresh_copies() throws Exception {
        List<Integer> list = new ArrayList<>(List.of(1, 2));
        SerializableSupplier<List<Integer>> task = () -> list;
        byte[] encoded = codec.encode(task, "a task");
        List<Integer> first = ((SerializableSupplier<List<Integer>>) codec.decode(encoded, loader)).get();
        List<Integer> second = ((SerializableSupplier<List<Integer>>) codec.decode(encoded, loader)).get();
        assertEquals(list, first);
        assertNotSame(first, second);
        assertSame(ArrayList.class, first.getClass());
    }

    @SuppressWarnings("unchecked")
    private <T> T fast(T lambda) throws Exception {
        byte[] encoded = codec.encode(lambda, "a test lambda");
        assertEquals(ObjectCodec.LAMBDA, encoded[0], "expected the lambda fast path");
        return (T) codec.decode(encoded, loader);
    }

    private static int count(byte[] encoded, byte tag) {
        int n = 0;
        for (byte b : encoded) {
            n += b == tag ? 1 : 0;
        }
        return n; // an upper bound in general; exact for this test's small values
    }

    record Order(int id, String item) implements Serializable {
    }

    record Holder(int[] counts) implements Serializable {
    }

    record Greeter(String word) implements Serializable {
        SerializableCallable<String> greeting(int n) {
            return () -> word + n;
        }
    }

    static final class Unserializable {
        private final String word = "no";

        SerializableCallable<String> task() {
            return () -> word;
        }
    }

    /** The size of JDK serialization's form of a value. */
    private static final class JdkSerializerBytes {
        int of(Object value) {
            try {
                return new JdkSerializer().toBytes(value).length;
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
