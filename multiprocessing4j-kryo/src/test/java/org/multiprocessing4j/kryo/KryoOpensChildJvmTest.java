package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;

/**
 * The wire format does not depend on a JVM's {@code --add-opens} flags: a child JVM that opens
 * {@code java.util} to everyone reads what this JVM (which does not) writes, and the other way round.
 */
class KryoOpensChildJvmTest {

    @Test
    void a_child_with_java_util_opened_exchanges_jdk_objects_with_a_parent_without() throws Exception {
        try (Context kryo = Context.builder().serializer(KryoSerializer.class)
                .jvmOptions("--add-opens=java.base/java.util=ALL-UNNAMED").build();
             Queue<List<Object>> toChild = kryo.queue(); Pipe pipe = kryo.pipe()) {
            Connection back = pipe.right();
            Process p = kryo.process(() -> {
                try {
                    List<Object> got = toChild.get();
                    int fromRandom = ((Random) got.get(0)).nextInt();
                    back.send(new ArrayList<>(List.of(fromRandom, new Random(7), got.get(1), got.get(1).getClass().getName())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            p.start();
            LinkedHashMap<String, Integer> ordered = new LinkedHashMap<>();
            ordered.put("z", 1);
            ordered.put("a", 2);
            toChild.put(new ArrayList<>(List.of(new Random(42), ordered)));
            boolean replied = false;
            for (int second = 0; second < 60 && !replied && p.isAlive(); second++) {
                replied = pipe.left().poll(Duration.ofSeconds(1));
            }
            replied = replied || pipe.left().poll();
            List<?> reply = replied ? (List<?>) pipe.left().recv() : null;
            p.join(Duration.ofSeconds(60));
            if (p.isAlive()) {
                p.kill();
                p.join(Duration.ofSeconds(10));
            }
            assertEquals(0, p.exitCode(), "the child could not read what this JVM sent");
            assertTrue(replied, "no reply within 60 s");
            assertEquals(new Random(42).nextInt(), reply.get(0), "the child read this JVM's Random");
            assertEquals(new Random(7).nextInt(), ((Random) reply.get(1)).nextInt(), "this JVM read the child's Random");
            assertEquals(new ArrayList<>(ordered.entrySet()),
                    new ArrayList<>(assertInstanceOf(LinkedHashMap.class, reply.get(2)).entrySet()));
            assertEquals(LinkedHashMap.class.getName(), reply.get(3));
        }
    }
}
