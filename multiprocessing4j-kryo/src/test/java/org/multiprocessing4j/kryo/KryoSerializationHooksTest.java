package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code Serializable} class's own serialization methods ({@code writeReplace}, {@code readResolve},
 * {@code readObject}, {@code writeObject}) are honoured by {@link KryoSerializer} as JDK serialization
 * honours them.
 */
class KryoSerializationHooksTest {

    private final KryoSerializer codec = new KryoSerializer();

    /** A handle whose live part is transient and travels as a {@link Ref}, remade on arrival. */
    static final class Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final String name;
        final transient StringBuilder live;

        Handle(String name) {
            this.name = name;
            this.live = new StringBuilder("attached:" + name);
        }

        @Serial
        private Object writeReplace() {
            return new Ref(name);
        }
    }

    /** What a {@link Handle} is on the wire. */
    record Ref(String name) implements Serializable {
        @Serial
        private Object readResolve() {
            return new Handle(name);
        }
    }

    /** One instance per JVM. */
    static final class Singleton implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static final Singleton INSTANCE = new Singleton();

        private Singleton() {
        }

        @Serial
        private Object readResolve() {
            return INSTANCE;
        }
    }

    /** A transient cache rebuilt by {@code readObject}. */
    static final class Cached implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final List<Integer> data;
        transient int sum;

        Cached(List<Integer> data) {
            this.data = data;
            this.sum = data.stream().mapToInt(Integer::intValue).sum();
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            sum = data.stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Counts its own serializations in {@code writeObject}, as a library handle marks itself exported. */
    static final class Exported implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        transient int exports;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            exports++;
            out.defaultWriteObject();
        }
    }

    /** Holds a handle among ordinary (non-Serializable) state, as a task's captured object might. */
    static final class Task {
        final Handle handle;
        final Object marker = new Object();

        Task(Handle handle) {
            this.handle = handle;
        }
    }

    /** A class with readObject whose field JDK serialization refuses: it must not silently lose the field. */
    static final class WithReadObjectAndForeignField implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final Object notSerializable = new Object();

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(Object value) throws IOException, ClassNotFoundException {
        byte[] bytes = codec.toBytes(value);
        return (T) codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
    }

    @Test
    void writeReplaceAndReadResolveRemakeAHandleWithItsLivePart() throws Exception {
        Handle copy = roundTrip(new Handle("q1"));
        assertEquals("q1", copy.name);
        assertEquals("attached:q1", String.valueOf(copy.live), "remade by Ref.readResolve");

        Task task = roundTrip(new Task(new Handle("q2")));
        assertEquals("attached:q2", String.valueOf(task.handle.live), "also when reached through a field");
    }

    @Test
    void readResolveKeepsASingletonSingle() throws Exception {
        assertSame(Singleton.INSTANCE, roundTrip(Singleton.INSTANCE));
        List<Singleton> two = roundTrip(new ArrayList<>(List.of(Singleton.INSTANCE, Singleton.INSTANCE)));
        assertSame(Singleton.INSTANCE, two.get(0));
        assertSame(Singleton.INSTANCE, two.get(1));
    }

    @Test
    void readObjectRebuildsATransientField() throws Exception {
        Cached copy = roundTrip(new Cached(List.of(1, 2, 3)));
        assertEquals(List.of(1, 2, 3), copy.data);
        assertEquals(6, copy.sum, "rebuilt by readObject");
    }

    @Test
    void writeObjectRunsOnEncoding() throws Exception {
        Exported exported = new Exported();
        codec.toBytes(exported);
        assertEquals(1, exported.exports);
        assertInstanceOf(Exported.class, roundTrip(exported));
    }

    @Test
    void aClassWithItsOwnSerializationMethodsMustHaveSerializableFields() {
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(new WithReadObjectAndForeignField()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }
}
