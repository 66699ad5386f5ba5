package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

/** What a manager's objects may do and take: start processes as CPython's do, and refuse nulls saying so. */
class ManagerServedObjectsTest extends ChildProcessTestBase {
    public interface Launcher {
        int launch() throws InterruptedException;
    }

    static final class LauncherImpl implements Launcher {
        @Override
        public int launch() throws InterruptedException {
            Process p = new Process(() -> System.exit(7));
            p.start();
            p.join();
            return p.exitCode();
        }
    }

    @Test
    void an_object_the_manager_serves_may_start_a_process() throws Exception {
        // NOTE: the manager's process was a daemon in its own eyes too, which may not have children; CPython's manager is not
        try (Manager manager = Manager.builder().register(Launcher.class, LauncherImpl::new).start()) {
            assertEquals(7, manager.create(Launcher.class).launch());
        }
    }

    @Test
    void a_null_key_or_value_is_refused_naming_it() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, String> d = manager.dict();
            NullPointerException put = assertThrows(NullPointerException.class, () -> d.put("k", null));
            assertTrue(put.getMessage() != null && put.getMessage().contains("value for key k is null"), put.getMessage());
            NullPointerException get = assertThrows(NullPointerException.class, () -> d.get(null));
            assertTrue(get.getMessage() != null && get.getMessage().contains("key is null"), get.getMessage());
            Map<String, String> withNull = new HashMap<>();
            withNull.put("k", null);
            NullPointerException initial = assertThrows(NullPointerException.class, () -> manager.dict(withNull));
            assertTrue(initial.getMessage().contains("null value of key k"), initial.getMessage());
            d.put("k", "v");
            assertEquals("v", d.get("k"));
        }
    }

    @Test
    void a_dict_keeps_insertion_order_as_a_python_dict_does() throws Exception {
        try (Manager manager = Manager.start()) {
            Map<String, Integer> initial = new java.util.LinkedHashMap<>();
            for (String k : List.of("zeta", "alpha", "mu", "beta")) {
                initial.put(k, k.length());
            }
            ConcurrentMap<String, Integer> d = manager.dict(initial);
            d.put("omega", 5);
            d.putIfAbsent("delta", 5);
            d.merge("alpha", 1, Integer::sum);
            assertEquals(List.of("zeta", "alpha", "mu", "beta", "omega", "delta"), List.copyOf(d.keySet()));
            assertEquals(6, d.get("alpha"));
            d.remove("mu");
            d.put("mu", 2);
            assertEquals(List.of("zeta", "alpha", "beta", "omega", "delta", "mu"), List.copyOf(d.keySet()));
        }
    }

    @Test
    void a_list_proxy_makes_an_array_with_a_generator() throws Exception {
        try (Manager manager = Manager.start()) {
            List<Integer> list = manager.list(List.of(1, 2, 3));
            assertArrayEquals(new Integer[] {1, 2, 3}, list.toArray(Integer[]::new));
        }
    }
}
