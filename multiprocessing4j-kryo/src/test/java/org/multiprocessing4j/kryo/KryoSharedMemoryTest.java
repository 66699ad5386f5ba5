package org.multiprocessing4j.kryo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Array;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.DoubleArray;
import org.multiprocessing4j.IntValue;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.ShareableList;
import org.multiprocessing4j.SharedMemory;
import org.multiprocessing4j.Value;

/** Shared-memory handles travel with KryoSerializer too (it builds them without running constructors). */
class KryoSharedMemoryTest {

    @Test
    void a_child_started_with_kryo_uses_the_same_value_lock_array_segment_and_list() throws Exception {
        try (Context kryo = Context.builder().serializer(KryoSerializer.class).build();
             IntValue counter = Value.ofInt(1); DoubleArray doubles = Array.ofDoubles(2);
             SharedMemory shm = SharedMemory.create(64); ShareableList list = ShareableList.create(List.of("a", 1L))) {
            try {
                Process p = kryo.process(() -> {
                    counter.getLock().lock();
                    try {
                        counter.set(counter.get() * 10);
                    } finally {
                        counter.getLock().unlock();
                    }
                    doubles.copyFrom(new double[] {0.5, 1.5});
                    shm.segment().set(JAVA_LONG, 8, 99L);
                    list.set(1, (Long) list.get(1) + 1);
                    counter.close();
                    shm.close();
                    list.close();
                });
                p.start();
                p.join(Duration.ofSeconds(60));
                if (p.isAlive()) {
                    p.kill();
                }
                assertEquals(0, p.exitCode());
                assertEquals(10, counter.get());
                assertEquals(1.5, doubles.get(1));
                assertEquals(99L, shm.segment().get(JAVA_LONG, 8));
                assertEquals(2L, list.get(1));
            } finally {
                shm.unlink();
                list.unlink();
            }
        }
    }
}
