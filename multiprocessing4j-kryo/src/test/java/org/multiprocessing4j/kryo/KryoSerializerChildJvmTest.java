package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Process;

/** With KryoSerializer a real child JVM runs a target that captures objects JDK serialization refuses. */
class KryoSerializerChildJvmTest {

    /** Not Serializable, no no-argument constructor. */
    static final class Holder {
        final int value;

        Holder(int value) {
            this.value = value;
        }
    }

    @Test
    void a_child_runs_a_target_capturing_a_non_serializable_object() throws Exception {
        Holder holder = new Holder(37);
        Process jdk = new Process(() -> System.exit(holder.value));
        assertThrows(IllegalArgumentException.class, jdk::start, "JDK serialization refuses it");

        Context kryo = Context.builder().serializer(KryoSerializer.class).build();
        Process p = kryo.process(() -> System.exit(holder.value));
        p.start();
        p.join(Duration.ofSeconds(60));
        if (p.isAlive()) {
            p.kill();
        }
        assertEquals(37, p.exitCode());
    }

    @Test
    void queues_and_pipes_made_by_the_context_carry_non_serializable_objects() throws Exception {
        Context kryo = Context.builder().serializer(KryoSerializer.class).build();
        try (org.multiprocessing4j.Queue<Holder> q = kryo.queue(); org.multiprocessing4j.Pipe pipe = kryo.pipe()) {
            org.multiprocessing4j.Connection back = pipe.right();
            Process p = kryo.process(() -> {
                try {
                    Holder h = q.get();
                    back.send(new Holder(h.value + 1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            p.start();
            q.put(new Holder(41));
            assertEquals(42, ((Holder) pipe.left().recv()).value);
            p.join(Duration.ofSeconds(60));
            if (p.isAlive()) {
                p.kill();
            }
            assertEquals(0, p.exitCode());
            assertThrows(IllegalArgumentException.class, () -> new org.multiprocessing4j.Queue<Holder>().put(new Holder(1)),
                    "a queue of the default context (JDK serialization) refuses it");
        }
    }

    /** Not Serializable; holds a JDK collection that Kryo rebuilds. */
    static final class Ledger {
        final LinkedHashMap<String, Holder> entries = new LinkedHashMap<>();
    }

    @Test
    void a_pool_worker_returns_jdk_collections_and_objects_holding_them() throws Exception {
        Context kryo = Context.builder().serializer(KryoSerializer.class).build();
        try (Pool pool = Pool.builder().processes(1).context(kryo).build()) {
            LinkedHashMap<String, Integer> map = pool.apply(() -> {
                LinkedHashMap<String, Integer> m = new LinkedHashMap<>();
                m.put("z", 26);
                m.put("a", 1);
                return m;
            });
            assertEquals(LinkedHashMap.class, map.getClass());
            assertEquals(List.of("z", "a"), new ArrayList<>(map.keySet()), "insertion order kept");
            assertEquals(Map.of("z", 26, "a", 1), map);

            Ledger ledger = pool.apply(() -> {
                Ledger l = new Ledger();
                l.entries.put("h", new Holder(5));
                return l;
            });
            assertEquals(5, ledger.entries.get("h").value);

            Ledger sent = new Ledger();
            sent.entries.put("k", new Holder(8));
            assertEquals(9, pool.apply(() -> sent.entries.get("k").value + 1), "a task capturing one");
        }
    }
}
