package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidObjectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.SerializableFunction;

/** The per-JVM lambda caches: shared by threads without harm, and bounded against a peer sending endless shapes. */
class LambdaCachesTest {
    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void threads_encoding_and_decoding_lambdas_at_once_all_get_exact_results() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(threads.submit((Callable<Void>) () -> {
                    for (int i = 0; i < 5_000; i++) {
                        int k = thread * 1_000_000 + i;
                        SerializableCallable<Long> square = () -> (long) k * k;
                        SerializableFunction<Integer, String> label = x -> "t" + thread + ":" + (x + k);
                        SerializableCallable<String> nested = () -> label.apply(1);
                        assertEquals((long) k * k, ((SerializableCallable<?>) roundTrip(square)).call());
                        assertEquals("t" + thread + ":" + (k + 1), ((SerializableCallable<?>) roundTrip(nested)).call());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void endless_distinct_forged_shapes_are_refused_and_the_shape_cache_stays_bounded() throws Exception {
        int k = 3;
        SerializableCallable<Integer> task = () -> k;
        byte[] encoded = codec.encode(task, "a task");
        byte[] marker = "lambda$".getBytes(StandardCharsets.UTF_8); // the implementation method's name
        int at = indexOf(encoded, marker);
        assertTrue(at > 0);
        for (int i = 0; i < LambdaFactory.MAX_FORMS + 500; i++) {
            byte[] forged = encoded.clone();
            String variant = String.format("%04x", i); // four ASCII characters in the name: still valid UTF-8
            System.arraycopy(variant.getBytes(StandardCharsets.US_ASCII), 0, forged, at + marker.length, 4);
            assertThrows(InvalidObjectException.class, () -> codec.decode(forged, loader));
            assertTrue(LambdaFactory.cachedForms() <= LambdaFactory.MAX_FORMS, "cache holds " + LambdaFactory.cachedForms());
        }
        assertEquals(k, ((SerializableCallable<?>) codec.decode(encoded, loader)).call(), "the real shape still works");
    }

    private Object roundTrip(Object value) throws Exception {
        return codec.decode(codec.encode(value, "a test value"), loader);
    }

    private static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i + part.length <= data.length; i++) {
            if (java.util.Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }
}
