package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Manager proxies used from the parent and from child JVMs: dict, list, namespace, nesting, atomic functions. */
class ManagerTest extends ChildProcessTestBase {

    @Test
    void dictAndListProxiesWorkInTheParent() {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Integer> d = manager.dict();
            d.put("a", 1);
            assertEquals(1, d.get("a"));
            assertNull(d.putIfAbsent("b", 2));
            assertEquals(2, d.size());
            assertEquals(Map.of("a", 1, "b", 2), d);
            assertEquals(d, Map.of("a", 1, "b", 2));
            List<Integer> l = manager.list(List.of(1, 2, 3));
            l.add(4);
            assertEquals(List.of(1, 2, 3, 4), new ArrayList<>(l));
            assertEquals(10, l.stream().mapToInt(Integer::intValue).sum());
            assertEquals("[1, 2, 3, 4]", l.toString());
        }
    }

    @Test
    void childrenThatCaptureAProxyUseTheSameObject() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Integer> d = manager.dict();
            List<String> l = manager.list();
            Process p = new Process(() -> {
                d.put("child", 7);
                l.add("from child");
            });
            p.start();
            p.join();
            assertEquals(0, p.exitCode());
            assertEquals(7, d.get("child"));
            assertEquals(List.of("from child"), new ArrayList<>(l));
        }
    }

    @Test
    void fourProcessesMergeTwentyThousandTimesExactly() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Integer> d = manager.dict();
            List<Process> processes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Process p = new Process(() -> {
                    BiFunction<Integer, Integer, Integer> sum = (BiFunction<Integer, Integer, Integer> & Serializable) Integer::sum;
                    for (int k = 0; k < 5_000; k++) {
                        d.merge("hits", 1, sum);
                    }
                });
                p.start();
                processes.add(p);
            }
            for (Process p : processes) {
                p.join();
                assertEquals(0, p.exitCode());
            }
            assertEquals(20_000, d.get("hits"));
        }
    }
}
