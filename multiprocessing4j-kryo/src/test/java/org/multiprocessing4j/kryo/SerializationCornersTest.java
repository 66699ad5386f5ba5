package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Serializable;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.SerializableCallable;

/**
 * Anonymous and inner classes arrive with their captured values and their enclosing instance (javac's
 * synthetic {@code val$x} and {@code this$0} fields), as JDK serialization sends them: Kryo skips synthetic
 * fields unless told otherwise, and they arrived as {@code null} and {@code 0}, silently.
 */
@Timeout(120)
class SerializationCornersTest {

    private static final KryoSerializer CODEC = new KryoSerializer();

    /** Not Serializable, no no-argument constructor. */
    static final class Holder {
        final int n;

        Holder(int n) {
            this.n = n;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        byte[] bytes = CODEC.toBytes(value);
        return (T) CODEC.fromBytes(bytes, 0, bytes.length, SerializationCornersTest.class.getClassLoader());
    }

    /** Declared in a static method: captures only {@code text} and {@code number}. */
    private static SerializableCallable<String> anonymousTask(String text, int number) {
        return new SerializableCallable<>() {
            @Override
            public String call() {
                return text + number;
            }
        };
    }

    @Test
    void a_serializable_anonymous_class_keeps_its_captured_values() throws Exception {
        assertEquals("abc21", roundTrip(anonymousTask("abc", 21)).call());
    }

    @Test
    void an_anonymous_class_keeps_a_captured_object_that_is_not_serializable() throws Exception {
        Holder holder = new Holder(20);
        Callable<Integer> task = new Callable<>() {
            @Override
            public Integer call() {
                return holder.n + 22;
            }
        };
        assertEquals(42, roundTrip(task).call());
    }

    private int base = 40; // NOTE: not final: a constant would be inlined, and the inner class would not read it

    /** An inner class: reads a field of its enclosing instance (this test, which is not Serializable). */
    final class Inner implements Serializable {
        final int own = 2;

        int sum() {
            return base + own;
        }
    }

    @Test
    void an_inner_class_keeps_its_enclosing_instance() throws Exception {
        assertEquals(42, roundTrip(new Inner()).sum());
    }

    @Test
    void a_pool_runs_an_anonymous_task_with_its_captured_values() throws Exception {
        Context kryo = Context.builder().serializer(KryoSerializer.class).build();
        Holder holder = new Holder(20);
        int k = 22;
        try (Pool pool = Pool.builder().processes(1).context(kryo).build()) {
            assertEquals(42, pool.apply(new SerializableCallable<Integer>() {
                @Override
                public Integer call() {
                    return holder.n + k;
                }
            }));
        }
    }
}
