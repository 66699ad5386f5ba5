package org.multiprocessing4j.kryo;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What {@link KryoSerializer#warmUp()} sends: one of each kind of value multiprocessing4j ships, so
 * Kryo's classes are loaded, its serializers for common JDK types are built, and the lambda and
 * JDK-serialization paths have run once before the first real message.
 */
final class WarmUp {

    private WarmUp() {
    }

    /** A task as it arrives: a serializable functional interface. */
    private interface Task extends IntSupplier, Serializable {
    }

    static void run(KryoSerializer codec) throws IOException, ClassNotFoundException {
        int n = 7;
        String s = "warm-up";
        Task task = () -> n + s.length();
        Object[] values = {
            task,
            new IllegalStateException("warm-up", new RuntimeException("cause")),
            List.of(1, 2, 3),
            Map.of("k", 1L),
            new java.util.ArrayList<>(List.of("a", "b")),
            new java.util.HashMap<>(Map.of("k", 2.0)),
        };
        ClassLoader loader = WarmUp.class.getClassLoader();
        for (Object value : values) {
            byte[] bytes = codec.toBytes(value);
            codec.fromBytes(bytes, 0, bytes.length, loader);
        }
    }
}
