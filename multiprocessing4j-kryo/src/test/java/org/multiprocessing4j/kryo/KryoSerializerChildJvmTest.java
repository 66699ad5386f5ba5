package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;
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
}
