package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A value that cannot be serialized is reported by the class that cannot be written, also when the value holds a
 * {@code Map.entry} (carried only by the fast path: it is not {@code Serializable}, and JDK serialization of the
 * whole value meets it first and refuses it); and a graph too deep for the stack inside such an entry is reported
 * as too deep, not as the entry's class.
 */
@Timeout(120)
class SerializationCornersTest extends ChildProcessTestBase {

    /** Not Serializable. */
    static final class Unwritable {
        final int value;

        Unwritable(int value) {
            this.value = value;
        }
    }

    private static void assertNamesUnwritable(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(Unwritable.class.getName()), message);
        assertTrue(!message.contains("KeyValueHolder"), message);
    }

    @Test
    void a_target_capturing_a_map_entry_beside_an_unwritable_object_fails_start_naming_that_objects_class() {
        Map.Entry<String, Integer> entry = Map.entry("k", 1);
        Unwritable unwritable = new Unwritable(2);
        Process p = new Process(() -> System.exit(entry.getValue() + unwritable.value));
        assertNamesUnwritable(assertThrows(IllegalArgumentException.class, p::start));
    }

    @Test
    void a_queue_item_holding_a_map_entry_of_an_unwritable_object_fails_put_naming_its_class() throws Exception {
        try (Queue<Object> q = new Queue<>()) {
            assertNamesUnwritable(assertThrows(IllegalArgumentException.class,
                    () -> q.put(List.of(Map.entry("k", new Unwritable(1))))));
            q.put(List.of(Map.entry("k", 1)));
            assertEquals(List.of(Map.entry("k", 1)), q.get());
        }
    }

    /** Serializable: a long chain of these is too deep for JDK serialization's recursion. */
    static final class Link implements java.io.Serializable {
        Link next;
    }

    @Test
    void a_queue_item_holding_a_map_entry_of_a_too_deep_graph_fails_put_saying_it_is_too_deep() throws Exception {
        Link head = new Link();
        Link link = head;
        for (int i = 0; i < 200_000; i++) {
            link.next = new Link();
            link = link.next;
        }
        try (Queue<Object> q = new Queue<>()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.put(Map.entry("k", head)));
            assertTrue(String.valueOf(e.getMessage()).contains("nested too deeply"), e.getMessage());
        }
    }

    /** A serializer whose static initializer throws (a missing native library, a bad configuration file). */
    public static final class FailsToInitialize implements Serializer {
        static final int BROKEN = Integer.parseInt("not a number");

        @Override
        public byte[] toBytes(Object value) {
            return new byte[BROKEN];
        }

        @Override
        public Object fromBytes(byte[] bytes, int offset, int length, ClassLoader loader) {
            return null;
        }
    }

    /**
     * Context.build() with a serializer whose static initializer throws escaped as a bare
     * ExceptionInInitializerError (and as a NoClassDefFoundError the next time), where its other failures are an
     * IllegalArgumentException naming the serializer.
     */
    @Test
    void a_serializer_whose_initializer_throws_fails_build_naming_it_every_time() {
        for (int i = 0; i < 2; i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Context.builder().serializer(FailsToInitialize.class).build().close());
            assertTrue(e.getMessage().contains(FailsToInitialize.class.getName()), e.getMessage());
        }
    }
}
