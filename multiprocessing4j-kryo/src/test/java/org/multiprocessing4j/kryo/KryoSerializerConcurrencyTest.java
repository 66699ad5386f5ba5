package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One {@link KryoSerializer} shared by several threads, as every thread of a JVM shares it. */
class KryoSerializerConcurrencyTest {

    static final int THREADS = 4;
    static final int ROUND_TRIPS_PER_THREAD = 2_000;

    /** Not Serializable; each thread ships its own, so a mix-up between threads shows as a wrong value. */
    record Work(int thread, int sequence, List<String> notes, Map<String, Integer> counts) {
    }

    @Test
    @Timeout(60)
    void servesFourPlatformThreadsAtOnceWithoutMixingTheirMessages() throws Exception {
        shareOneCodec(Executors.newFixedThreadPool(THREADS));
    }

    @Test
    @Timeout(60)
    void servesFourVirtualThreadsAtOnceWithoutMixingTheirMessages() throws Exception {
        shareOneCodec(Executors.newVirtualThreadPerTaskExecutor());
    }

    private void shareOneCodec(ExecutorService pool) throws Exception {
        KryoSerializer codec = new KryoSerializer();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    ClassLoader loader = getClass().getClassLoader();
                    for (int i = 0; i < ROUND_TRIPS_PER_THREAD; i++) {
                        Work sent = new Work(thread, i, List.of("t" + thread, "i" + i), Map.of("n", i * thread));
                        byte[] bytes = codec.toBytes(sent);
                        Object received = codec.fromBytes(bytes, 0, bytes.length, loader);
                        assertEquals(sent, received);
                    }
                    return ROUND_TRIPS_PER_THREAD;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertEquals(ROUND_TRIPS_PER_THREAD, result.get(50, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
