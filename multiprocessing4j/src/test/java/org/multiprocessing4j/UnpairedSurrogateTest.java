package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

/**
 * A Java string may hold an unpaired surrogate, which UTF-8 cannot carry; every channel must still deliver
 * the very same string (it arrived with {@code '?'} in its place through the codec's fast paths: two manager
 * dict keys then became one), and a {@link ShareableList}, whose items are UTF-8 as in CPython, refuses it.
 */
class UnpairedSurrogateTest extends ChildProcessTestBase {
    private static final List<String> ODD = List.of("a\uD800b", "\uDC00", "x\uDBFF", "ok \uD83D\uDE00 ? pair", "?");

    @Test
    void pipes_and_queues_deliver_the_same_strings() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            for (String s : ODD) {
                pipe.left().send(s);
                assertEquals(s, pipe.right().recv());
            }
            pipe.left().send(ODD);
            assertEquals(ODD, pipe.right().recv(), "inside a list (the fast path's tree)");
            pipe.left().send(Map.entry(ODD.get(0), 1));
            assertEquals(Map.entry(ODD.get(0), 1), pipe.right().recv());
        } finally {
            pipe.left().close();
            pipe.right().close();
        }
        try (Queue<Object> q = new Queue<>()) {
            q.put(ODD.get(0));
            q.put(ODD);
            assertEquals(ODD.get(0), q.get());
            assertEquals(ODD, q.get());
        }
    }

    @Test
    void pool_tasks_results_and_manager_dicts_keep_them() throws Exception {
        String odd = ODD.get(0);
        try (Pool pool = new Pool(1)) {
            assertEquals(odd, pool.apply(() -> odd), "captured by the task and returned");
            assertEquals(List.of(odd + "!", "?!"), pool.map(s -> s + "!", List.of(odd, "?")));
        }
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Integer> dict = manager.dict();
            dict.put("a\uD800b", 1);
            dict.put("a\uDBFFb", 2);
            assertEquals(2, dict.size(), "two keys, not one");
            assertEquals(1, dict.get("a\uD800b"));
        }
    }

    @Test
    void a_child_sees_its_name_as_given() throws Exception {
        Process p = new Process("w\uD800", () -> System.exit(Multiprocessing.currentProcess().name().equals("w\uD800") ? 0 : 9));
        assertEquals(0, run(p));
    }

    @Test
    void a_shareable_list_refuses_a_string_utf8_cannot_carry() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShareableList.create(List.of("ok", "a\uD800b")));
        assertTrue(e.getMessage().contains("item 1") && e.getMessage().contains("unpaired surrogate at index 1"), e.getMessage());
        try (ShareableList list = ShareableList.create(List.of("12345678"))) {
            try {
                assertThrows(IllegalArgumentException.class, () -> list.set(0, "\uDC00"));
                assertEquals("12345678", list.get(0), "unchanged");
                list.set(0, "\uD83D\uDE00");
                assertEquals("\uD83D\uDE00", list.get(0), "a surrogate pair is fine");
            } finally {
                list.unlink();
            }
        }
    }
}
