package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More corners of the manager's proxies against the java.util contracts they implement. */
class ManagerCollectionsCornersTest extends ChildProcessTestBase {

    /** A value that keeps Object's identity {@code equals}, as most plain classes do. */
    static final class Box implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final int v;

        Box(int v) {
            this.v = v;
        }
    }

    /** Runs {@code call} on a daemon thread; a call still running after {@link #HANG} fails the test. */
    private static <T> T within(ExecutorService threads, Callable<T> call) throws Exception {
        Future<T> f = threads.submit(call);
        try {
            return f.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("still running after " + HANG + ": the retry loop never ends", e);
        }
    }

    @Test
    @Timeout(240)
    void plain_lambda_compute_and_merge_end_for_values_that_compare_by_identity() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().unstarted(r));
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            d.put("array", new int[] {1});
            d.put("box", new Box(1));
            d.put("other", new Box(10));
            // NOTE: plain lambdas cannot travel: ConcurrentMap's defaults run here over the manager's replace and
            // remove(k, v), which compared the caller's copy with the stored value by equals, which never holds
            // for these values: each call retried for ever
            Object array = within(threads, () -> d.computeIfPresent("array", (k, v) -> new int[] {((int[]) v)[0] + 1}));
            assertArrayEquals(new int[] {2}, (int[]) array);
            assertArrayEquals(new int[] {2}, (int[]) d.get("array"));
            Object merged = within(threads, () -> d.merge("box", new Box(5), (a, b) -> new Box(((Box) a).v + ((Box) b).v)));
            assertEquals(6, ((Box) merged).v);
            assertEquals(6, ((Box) d.get("box")).v);
            Object computed = within(threads, () -> d.compute("box", (k, v) -> new Box(((Box) v).v * 2)));
            assertEquals(12, ((Box) computed).v);
            within(threads, () -> {
                d.replaceAll((k, v) -> v instanceof Box b ? new Box(b.v + 1) : v);
                return null;
            });
            assertEquals(13, ((Box) d.get("box")).v);
            assertEquals(11, ((Box) d.get("other")).v);
            assertEquals(null, within(threads, () -> d.computeIfPresent("other", (k, v) -> null)), "null removes");
            assertFalse(d.containsKey("other"));

            Object seen = d.get("box");
            assertTrue(d.replace("box", seen, new Box(20)), "the value just read is the one stored: as a local map's replace");
            assertFalse(d.replace("box", seen, new Box(30)), "not once it changed");
            assertFalse(d.replace("box", new Box(99), new Box(30)), "nor for another value of the same class");
            assertEquals(20, ((Box) d.get("box")).v);
            assertTrue(d.remove("box", d.get("box")));
            assertFalse(d.containsKey("box"));
            d.put("k", 1);
            assertFalse(d.remove("k", 2), "values with an equals of their own still compare by it");
            assertTrue(d.replace("k", 1, 3));
            assertEquals(3, d.get("k"));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @Timeout(120)
    void a_dict_or_list_holding_a_proxy_of_itself_prints_as_a_local_one_does() {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            d.put("a", 1);
            d.put("self", d);
            // NOTE: each toString called the stored proxy's, which called the next, until the stack overflowed
            assertEquals("{a=1, self=(this Map)}", d.toString(), "as AbstractMap writes a map holding itself");
            List<Object> l = manager.list();
            l.add(1);
            l.add(l);
            assertEquals("[1, (this Collection)]", l.toString());
            d.put("list", l);
            assertEquals("{a=1, self=(this Map), list=[1, (this Collection)]}", d.toString());
            assertEquals("[1, (this Collection)]", l.toString(), "and again, on the same manager thread");
        }
    }
}
