package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;

/**
 * Cycles through objects whose Kryo serializer creates them only after reading their contents (map entries,
 * lambdas), and JDK collection views that are neither Serializable nor rebuildable from their items.
 */
class KryoCyclesAndViewsTest {

    private final KryoSerializer codec = new KryoSerializer();

    private Object roundTrip(Object value) throws IOException, ClassNotFoundException {
        byte[] bytes = codec.toBytes(value);
        return codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
    }

    /** Serializable, so the default codec can send it too; holds an entry whose value lists the entry. */
    static final class Holder implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        Map.Entry<String, List<Object>> entry;
    }

    static Holder entryInACycle(boolean immutable) {
        List<Object> list = new ArrayList<>();
        Holder h = new Holder();
        h.entry = immutable ? new SimpleImmutableEntry<>("k", list) : new SimpleEntry<>("k", list);
        list.add(h.entry);
        return h;
    }

    /** Not Serializable: only Kryo can send it. */
    static final class Plain {
        final Object ref = new Object();
        Map.Entry<String, List<Object>> entry;
    }

    @Test
    void an_entry_reachable_from_its_own_value_arrives_closing_the_cycle() throws Exception {
        for (boolean immutable : new boolean[] {false, true}) {
            Holder copy = (Holder) roundTrip(entryInACycle(immutable));
            assertSame(copy.entry, copy.entry.getValue().get(0), "the list holds the entry itself, not null");
        }
    }

    @Test
    void an_entry_in_a_cycle_in_a_graph_that_is_not_serializable() throws Exception {
        Plain p = new Plain();
        List<Object> list = new ArrayList<>();
        p.entry = new SimpleEntry<>("k", list);
        list.add(p.entry);
        Plain copy = (Plain) roundTrip(p);
        assertSame(copy.entry, copy.entry.getValue().get(0), "a SimpleEntry is made before its value: Kryo closes the cycle");

        p.entry = new SimpleImmutableEntry<>("k", list);
        list.set(0, p.entry);
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(p),
                "an immutable entry is made after its value; JDK serialization cannot write the graph");
        assertTrue(e.getMessage().contains("SimpleImmutableEntry"), e.getMessage());
    }

    @Test
    void an_entry_in_a_cycle_crosses_a_queue_to_a_child_jvm_as_with_the_default_codec() throws Exception {
        for (String codecName : new String[] {"JDK", "Kryo"}) {
            Context context = codecName.equals("JDK") ? Context.builder().build()
                    : Context.builder().serializer(KryoSerializer.class).build();
            try (Queue<Holder> in = context.queue(); Queue<Boolean> out = context.queue()) {
                Process p = context.process(() -> {
                    try {
                        Holder h = in.get();
                        out.put(h.entry != null && h.entry.getValue().get(0) == h.entry);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                p.start();
                in.put(entryInACycle(false));
                assertEquals(Boolean.TRUE, out.get(Duration.ofSeconds(120)), codecName + " codec");
                p.join(Duration.ofSeconds(60));
                if (p.isAlive()) {
                    p.kill();
                }
            }
        }
    }

    interface SerializableRunnable extends Runnable, Serializable {
    }

    /** Not Serializable; a lambda that captures it is stored in it. */
    static final class Box {
        Object lambda;
    }

    @Test
    void a_lambda_reachable_from_its_own_captured_values_fails_the_write_as_documented() {
        Box box = new Box();
        SerializableRunnable r = () -> box.lambda.hashCode();
        box.lambda = r;
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(r),
                "documented: cannot ship a lambda reachable from its own captured values (it arrived with that reference null)");
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
    }

    @Test
    void a_jdk_collection_view_is_refused_when_written_naming_its_class() {
        Map<String, Integer> map = new HashMap<>(Map.of("a", 1, "b", 2));
        List<Integer> list = new ArrayList<>(List.of(1, 2, 3));
        for (Object view : new Object[] {map.keySet(), map.values(), map.entrySet(), list.subList(1, 2)}) {
            IOException e = assertThrows(IOException.class, () -> codec.toBytes(view),
                    "written but unreadable: " + view.getClass().getName());
            assertTrue(e.getMessage().contains(view.getClass().getName()), e.getMessage());
        }
    }

    @Test
    void a_pool_task_returning_a_map_view_fails_in_the_worker_naming_its_class() throws Exception {
        Context kryo = Context.builder().serializer(KryoSerializer.class).build();
        try (Pool pool = Pool.builder().processes(1).context(kryo).build()) {
            Exception e = assertThrows(Exception.class, () -> pool.apply(() -> new HashMap<>(Map.of("a", 1)).keySet()));
            String all = describe(e);
            assertTrue(all.contains("HashMap$KeySet"), all);
            assertEquals(List.of(1, 2), pool.apply(() -> new ArrayList<>(List.of(1, 2))), "the pool still works");
        }
    }

    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c).append(" <- ");
        }
        return s.toString();
    }
}
