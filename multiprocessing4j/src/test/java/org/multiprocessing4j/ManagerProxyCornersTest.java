package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Corners of the dict and list proxies against the java.util contracts they implement. */
class ManagerProxyCornersTest extends ChildProcessTestBase {

    @Test
    @Timeout(120)
    void toArray_fills_and_returns_the_callers_array_when_the_elements_fit() {
        try (Manager manager = Manager.start()) {
            List<Integer> l = manager.list(List.of(1, 2, 3));
            Integer[] roomy = {9, 9, 9, 9, 9};
            Integer[] back = l.toArray(roomy);
            assertSame(roomy, back, "Collection.toArray(T[]): if the collection fits, it is returned therein");
            assertArrayEquals(new Integer[] {1, 2, 3, null, 9}, roomy);
            Integer[] exact = new Integer[3];
            assertSame(exact, l.toArray(exact));
            assertArrayEquals(new Integer[] {1, 2, 3}, exact);
            Integer[] small = new Integer[1];
            Integer[] fresh = l.toArray(small);
            assertArrayEquals(new Integer[] {1, 2, 3}, fresh);
            assertEquals(Integer[].class, fresh.getClass());
            assertNull(small[0], "an array too small is left alone");
            Object[] withUnserializable = {new Object(), new Object(), new Object(), new Object()};
            assertSame(withUnserializable, l.toArray(withUnserializable), "the caller's array never travels");
            ConcurrentMap<String, Integer> d = manager.dict(Map.of("a", 1));
            String[] keys = new String[2];
            assertSame(keys, d.keySet().toArray(keys));
            assertEquals("a", keys[0]);
        }
    }

    @Test
    @Timeout(180)
    void lists_looked_up_in_each_other_at_once_never_deadlock_the_manager() throws Exception {
        try (Manager manager = Manager.start()) {
            List<Object> a = manager.list();
            a.add(new ArrayList<>(List.of(1)));
            List<Object> b = manager.list();
            b.add(new ArrayList<>(List.of(2)));
            ConcurrentMap<Object, Object> d = manager.dict();
            d.put("k", new ArrayList<>(List.of(3)));
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                // NOTE: each lookup compared the argument proxy with an element under the looked-in object's
                // lock, which is a call on the argument's object: two opposite lookups took two locks in
                // opposite orders and hung the manager for ever
                Future<?> ab = threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        a.contains(b);
                        a.indexOf(d);
                    }
                    return null;
                });
                Future<?> ba = threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        b.contains(a);
                        b.remove(d);
                    }
                    return null;
                });
                Future<?> da = threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        d.containsValue(a);
                        d.get(b);
                    }
                    return null;
                });
                ab.get(HANG.toSeconds(), TimeUnit.SECONDS);
                ba.get(HANG.toSeconds(), TimeUnit.SECONDS);
                da.get(HANG.toSeconds(), TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
            List<Object> inner = manager.list(List.of(2));
            assertTrue(b.contains(inner), "a lookup still compares by content, as List.contains says");
            assertEquals(0, b.indexOf(inner));
            a.add(inner);
            assertTrue(a.remove(inner));
            assertEquals(1, a.size());
        }
    }
}
