package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Value and Array: a close under a waiting thread, and changes made in a child. */
class SharedValueEdgeTest extends ChildProcessTestBase {

    @Test
    void a_value_closed_while_another_thread_waits_for_its_lock_fails_that_wait_promptly() throws Exception {
        IntValue v = Value.ofInt(1);
        v.getLock().acquire();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                v.getLock().acquire();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        Thread.sleep(500);
        long start = System.nanoTime();
        v.close();
        Throwable e = thrown.get(HANG.toSeconds(), TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        t.join();
        assertTrue(e instanceof IllegalStateException, String.valueOf(e));
        assertTrue(tookMs < 3000, "close took " + tookMs + " ms");
        assertThrows(IllegalStateException.class, v::get);
    }

    @Test
    void a_value_changed_in_a_child_under_its_lock_and_an_array_of_chars_round_trip() throws Exception {
        IntValue v = Value.ofInt(10);
        CharArray chars = Array.ofChars("héllo".toCharArray());
        DoubleArray raw = Array.rawDoubles(3);
        try (v; chars; raw) {
            Process child = new Process(ChildBodies.checked(() -> {
                v.getLock().lock();
                try {
                    v.set(v.get() * 3);
                } finally {
                    v.getLock().unlock();
                }
                chars.set(1, 'e');
                raw.set(2, 2.5);
                v.close();
                chars.close();
                raw.close();
            }));
            assertEquals(0, run(child));
            assertEquals(30, v.get());
            assertEquals("hello", new String(chars.toArray()));
            assertEquals(2.5, raw.get(2));
            assertThrows(UnsupportedOperationException.class, raw::getLock);
            assertThrows(IndexOutOfBoundsException.class, () -> raw.get(3));
            assertThrows(IndexOutOfBoundsException.class, () -> raw.get(-1));
        }
    }
}
