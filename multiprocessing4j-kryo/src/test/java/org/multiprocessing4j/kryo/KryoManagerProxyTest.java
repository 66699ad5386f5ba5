package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Process;

/**
 * A manager's proxies, and a starmap's pairs of objects that are not Serializable, travel with KryoSerializer
 * as with the default codec.
 */
class KryoManagerProxyTest {
    /** Not Serializable. */
    static final class Holder {
        final int v;

        Holder(int v) {
            this.v = v;
        }
    }

    @Test
    void a_child_started_with_kryo_uses_a_manager_dict_it_captured() throws Exception {
        // NOTE: Kryo wrote the proxy's generated class (jdk.proxy2.$ProxyNN), which no other JVM has
        try (Context kryo = Context.builder().serializer(KryoSerializer.class).build(); Manager m = kryo.manager()) {
            Map<String, Integer> d = m.dict();
            Process p = kryo.process(() -> d.put("child", 1));
            p.start();
            p.join(Duration.ofSeconds(60));
            if (p.isAlive()) {
                p.kill();
                p.join();
            }
            assertEquals(0, p.exitCode());
            assertEquals(1, d.get("child"));
        }
    }

    @Test
    void starmap_takes_pairs_of_objects_that_are_not_serializable() throws Exception {
        // NOTE: the pool re-wrapped each pair as a JDK SimpleImmutableEntry, which Kryo sends by JDK serialization
        try (Context kryo = Context.builder().serializer(KryoSerializer.class).build();
             Pool pool = Pool.builder().processes(1).context(kryo).build()) {
            List<Map.Entry<Holder, Holder>> pairs = List.of(Map.entry(new Holder(1), new Holder(2)), Map.entry(new Holder(3), new Holder(4)));
            assertEquals(List.of(3, 7), pool.starmap((Holder a, Holder b) -> a.v + b.v, pairs));
        }
    }
}
