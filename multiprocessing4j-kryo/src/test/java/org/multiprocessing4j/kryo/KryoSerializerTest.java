package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link KryoSerializer} on one thread; {@link KryoSerializerConcurrencyTest} covers threads. */
class KryoSerializerTest {

    private final KryoSerializer codec = new KryoSerializer();

    /** Neither Serializable nor constructible without arguments; the constructor rejects bad input. */
    static final class Account {
        final String owner;
        final long cents;
        final List<String> tags;
        Account sameOwnerAs;

        Account(String owner, long cents, List<String> tags) {
            if (cents < 0) {
                throw new IllegalArgumentException("negative balance");
            }
            this.owner = owner;
            this.cents = cents;
            this.tags = tags;
        }
    }

    /** Mutable state a task captures; not Serializable. */
    static final class Counter {
        int hits;

        int hit(int by) {
            hits += by;
            return hits;
        }
    }

    interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
    }

    /** Holds something Kryo cannot take apart: a live thread. */
    static final class HoldsAThread {
        final Thread thread = Thread.currentThread();
    }

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        byte[] bytes = codec.toBytes(value);
        return (T) codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
    }

    @Test
    void shipsAnObjectWhoseClassIsNotSerializableAndHasNoNoArgConstructor() throws Exception {
        Account a = new Account("ada", 12_345, new ArrayList<>(List.of("vip", "eu")));
        Account b = new Account("ada", 7, a.tags);
        a.sameOwnerAs = b;
        b.sameOwnerAs = a;

        Account copy = roundTrip(a);

        assertNotSame(a, copy);
        assertEquals("ada", copy.owner);
        assertEquals(12_345, copy.cents);
        assertEquals(List.of("vip", "eu"), copy.tags);
        assertSame(copy, copy.sameOwnerAs.sameOwnerAs, "cycle kept");
        assertSame(copy.tags, copy.sameOwnerAs.tags, "shared reference kept");
    }

    @Test
    void shipsALambdaThatCapturesAnObjectThatIsNotSerializable() throws Exception {
        Counter counter = new Counter();
        counter.hit(40);
        int step = 2;
        SerializableFunction<Integer, Integer> task = times -> counter.hit(step * times);

        SerializableFunction<Integer, Integer> copy = roundTrip(task);

        assertEquals(42, copy.apply(1), "the copy runs on a copy of the captured state");
        assertEquals(40, counter.hits, "the original's state is untouched");
    }

    @Test
    void keepsAnExceptionsTypeMessageCauseAndStackTrace() throws Exception {
        IllegalStateException failure;
        try {
            Integer.parseInt("not a number");
            throw new AssertionError("unreachable");
        } catch (NumberFormatException cause) {
            failure = new IllegalStateException("task 3 failed", cause);
            failure.addSuppressed(new IOException("cleanup failed"));
        }

        IllegalStateException copy = roundTrip(failure);

        assertEquals("task 3 failed", copy.getMessage());
        assertArrayEquals(failure.getStackTrace(), copy.getStackTrace());
        assertTrue(copy.getStackTrace().length > 0);
        NumberFormatException cause = assertInstanceOf(NumberFormatException.class, copy.getCause());
        assertEquals(failure.getCause().getMessage(), cause.getMessage());
        assertArrayEquals(failure.getCause().getStackTrace(), cause.getStackTrace());
        assertEquals("cleanup failed", copy.getSuppressed()[0].getMessage());
    }

    @Test
    void shipsJdkClassesWhosePackagesAreClosedToKryo() throws Exception {
        UUID id = UUID.randomUUID();
        List<Integer> unmodifiable = Collections.unmodifiableList(new ArrayList<>(List.of(1, 2)));
        Map<String, Integer> immutable = Map.of("a", 1, "b", 2);

        assertEquals(id, roundTrip(id));
        assertEquals(unmodifiable, roundTrip(unmodifiable));
        assertEquals(immutable, roundTrip(immutable));
        assertEquals(5, roundTrip(new AtomicLong(5)).get());
    }

    @Test
    void shipsNull() throws Exception {
        assertNull(roundTrip(null));
    }

    @Test
    void failsWithAnIOExceptionNamingTheClassWhenAnObjectCannotBeWritten() {
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(new HoldsAThread()));
        assertTrue(e.getMessage().contains(HoldsAThread.class.getName()), e.getMessage());
    }

    @Test
    void failsWithAnIOExceptionOnBytesItDidNotWrite() throws Exception {
        byte[] bytes = codec.toBytes(List.of("x"));
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        assertThrows(IOException.class, () -> codec.fromBytes(longer, 0, longer.length, getClass().getClassLoader()));
    }

    @Test
    void decodesASliceOfALargerArray() throws Exception {
        byte[] bytes = codec.toBytes("payload");
        byte[] framed = new byte[bytes.length + 8];
        System.arraycopy(bytes, 0, framed, 5, bytes.length);
        assertEquals("payload", codec.fromBytes(framed, 5, bytes.length, getClass().getClassLoader()));
    }

    @Test
    void warmsUpWithoutError() {
        codec.warmUp();
    }

    /** Not Serializable; inside a JDK-serialized container it cannot be written. */
    static final class Point {
        final int x;

        Point(int x) {
            this.x = x;
        }
    }

    @Test
    void aFailureInsideAJdkSerializedContainerNamesTheClassThatCouldNotBeWritten() {
        List<Point> wrapped = Collections.unmodifiableList(new ArrayList<>(List.of(new Point(1))));
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(wrapped));
        assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(wrapped.getClass().getName()), e.getMessage());
    }
}
