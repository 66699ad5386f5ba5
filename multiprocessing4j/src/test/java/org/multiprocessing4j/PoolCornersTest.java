package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serial;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Less-travelled corners of Pool, AsyncResult and ResultIterator, with real worker JVMs. */
class PoolCornersTest extends ChildProcessTestBase {

    static int failOn(int x, int bad) {
        if (x == bad) {
            throw new IllegalStateException("bad item " + x);
        }
        return x;
    }

    static int sleepThen(int value, long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }

    /** {@code value} once {@code gate} is set. */
    static int passAfter(Event gate, int value) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** Collects an iterator's results and its exceptions (as "!message") until it ends. */
    private static List<Object> drain(Iterator<Integer> it) {
        List<Object> seen = new ArrayList<>();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return seen;
                }
                seen.add(it.next());
            } catch (IllegalStateException e) {
                seen.add("!" + e.getMessage());
            }
        }
    }

    @Test
    void imap_in_chunks_fails_the_whole_chunk_of_a_failing_item_at_its_place_and_goes_on() {
        try (Pool pool = new Pool(2)) {
            List<Object> seen = drain(pool.imap(x -> failOn(x, 4), IntStream.range(0, 10).boxed().toList(), 3));
            assertEquals(List.of(0, 1, 2, "!bad item 4", 6, 7, 8, 9), seen);
        }
    }

    @Test
    void imapUnordered_in_chunks_gives_every_other_result_and_the_error_once() {
        try (Pool pool = new Pool(2)) {
            List<Object> seen = drain(pool.imapUnordered(x -> failOn(x, 4), IntStream.range(0, 10).boxed().toList(), 3));
            assertEquals(8, seen.size(), seen.toString());
            assertTrue(seen.contains("!bad item 4"), seen.toString());
            for (int x : List.of(0, 1, 2, 6, 7, 8, 9)) {
                assertTrue(seen.contains(x), seen.toString());
            }
        }
    }

    @Test
    void an_input_that_throws_mid_chunk_gives_the_items_read_before_it_then_its_error_then_the_end() {
        Iterator<Integer> input = new BreakingInput(5, "input broke");
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> it = pool.imap(x -> x * 10, input, 3);
            List<Object> seen = drain(it);
            assertEquals(List.of(0, 10, 20, 30, 40, "!input broke"), seen);
            assertThrows(NoSuchElementException.class, it::next);
        }
    }

    @Test
    void a_timed_next_that_runs_out_leaves_the_iterator_usable_for_hasNext_and_next() throws Exception {
        try (Event gate = new Event(); Pool pool = new Pool(1)) {
            try {
                ResultIterator<Integer> it = pool.imap(x -> x == 1 ? passAfter(gate, x) : x, List.of(0, 1, 2), 1);
                assertEquals(0, it.next(HANG));
                assertThrows(TimeoutException.class, () -> it.next(Duration.ofMillis(1)));
                assertThrows(TimeoutException.class, () -> it.next(Duration.ZERO));
                gate.set();
                assertTrue(it.hasNext());
                assertEquals(1, it.next());
                assertEquals(2, it.next(HANG));
                assertFalse(it.hasNext());
                assertThrows(NoSuchElementException.class, () -> it.next(Duration.ZERO));
            } finally {
                gate.set(); // NOTE: before close, which waits for the task held at the gate
            }
        }
    }

    @Test
    void an_iterator_abandoned_midway_over_an_endless_input_lets_close_return() {
        Pool pool = new Pool(2);
        try {
            ResultIterator<Integer> it = pool.imap(x -> x + 1, IntStream.iterate(0, i -> i + 1).boxed().iterator(), 2);
            assertEquals(1, it.next());
            assertEquals(2, it.next());
        } finally {
            pool.close();
        }
    }

    @Test
    void an_iterator_abandoned_midway_then_terminate_cancels_what_is_left() {
        Pool pool = new Pool(2);
        ResultIterator<Integer> it;
        try {
            it = pool.imap(x -> sleepThen(x, x < 2 ? 0 : 600_000), IntStream.iterate(0, i -> i + 1).boxed().iterator());
            assertEquals(0, it.next());
            assertEquals(1, it.next());
        } finally {
            pool.terminate();
        }
        assertThrows(java.util.concurrent.CancellationException.class, it::next);
    }

    @Test
    void a_callback_that_throws_is_reported_and_neither_the_result_nor_later_callbacks_suffer() throws Exception {
        List<Integer> called = new CopyOnWriteArrayList<>();
        try (Pool pool = new Pool(1)) {
            AsyncResult<Integer> first = pool.applyAsync(() -> 1, r -> {
                throw new IllegalStateException("callback broke");
            });
            AsyncResult<Integer> second = pool.applyAsync(() -> 2, called::add);
            AsyncResult<Integer> third = pool.applyAsync(() -> failOn(3, 3), null, e -> {
                throw new AssertionError("error callback broke");
            });
            assertEquals(1, first.get(HANG));
            assertTrue(first.successful());
            assertEquals(2, second.get(HANG));
            assertEquals(List.of(2), called);
            ExecutionException e = assertThrows(ExecutionException.class, () -> third.get(HANG));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void a_callback_may_call_apply_and_map_on_its_own_pool() throws Exception {
        try (Pool pool = new Pool(2)) {
            CompletableFuture<Object> inner = new CompletableFuture<>();
            AsyncResult<Integer> outer = pool.applyAsync(() -> 1, r -> {
                try {
                    inner.complete(List.of(pool.apply(() -> r + 1), pool.map(x -> x * 2, List.of(1, 2))));
                } catch (Exception e) {
                    inner.completeExceptionally(e);
                }
            });
            assertEquals(1, outer.get(HANG));
            assertEquals(List.of(2, List.of(2, 4)), inner.get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void a_callback_waiting_untimed_for_a_result_with_a_callback_is_refused_rather_than_deadlocking() throws Exception {
        try (Pool pool = new Pool(1)) {
            CompletableFuture<Object> seen = new CompletableFuture<>();
            CompletableFuture<AsyncResult<Integer>> laterOne = new CompletableFuture<>();
            AsyncResult<Integer> first = pool.applyAsync(() -> 1, r -> {
                try {
                    // NOTE: later's callback, which makes it ready, runs on this thread after this one: CPython deadlocks
                    seen.complete(laterOne.get(HANG.toSeconds(), TimeUnit.SECONDS).get());
                } catch (Throwable t) {
                    seen.complete(t);
                }
            });
            AsyncResult<Integer> later = pool.applyAsync(() -> 2, x -> { });
            laterOne.complete(later);
            assertEquals(1, first.get(HANG));
            Object outcome = seen.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, outcome);
            assertTrue(((Throwable) outcome).getMessage().contains("would never end"), outcome.toString());
            assertEquals(2, later.get(HANG), "the refused result still arrives");
            AsyncResult<Integer> timed = pool.applyAsync(() -> 3, r -> {
                try {
                    seen.obtrudeValue(pool.applyAsync(() -> 4, x -> { }).get(Duration.ofMillis(10)));
                } catch (Throwable t) {
                    seen.obtrudeValue(t);
                }
            });
            assertEquals(3, timed.get(HANG));
            assertInstanceOf(TimeoutException.class, seen.get(), "a timed get is not refused: it times out");
        }
    }

    @Test
    void a_callback_may_terminate_its_own_pool() throws Exception {
        Pool pool = new Pool(1);
        try {
            CompletableFuture<Void> done = new CompletableFuture<>();
            pool.applyAsync(() -> 1, r -> {
                try {
                    pool.terminate();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            done.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.terminate();
        }
    }

    @Test
    void get_returns_only_after_the_callback_ran() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (Pool pool = new Pool(1)) {
            for (int i = 0; i < 5; i++) {
                int v = i;
                AsyncResult<Integer> r = pool.applyAsync(() -> v, x -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ran.incrementAndGet();
                });
                assertEquals(v, r.get(HANG));
                assertEquals(v + 1, ran.get());
                assertTrue(r.ready() && r.successful());
            }
            AsyncResult<List<Integer>> empty = pool.mapAsync(x -> x, List.<Integer>of(), 1, l -> ran.incrementAndGet(), null);
            assertEquals(List.of(), empty.get(HANG));
            assertEquals(6, ran.get());
        }
    }

    @Test
    void successful_before_ready_throws_and_after_a_failure_is_false() throws Exception {
        try (Event gate = new Event(); Pool pool = new Pool(1)) {
            try {
                AsyncResult<Integer> slow = pool.applyAsync(() -> passAfter(gate, 1));
                assertThrows(IllegalStateException.class, slow::successful);
                assertThrows(TimeoutException.class, () -> slow.get(Duration.ofMillis(1)));
                assertFalse(slow.ready());
                gate.set();
                assertEquals(1, slow.get(HANG));
                AsyncResult<Integer> bad = pool.applyAsync(() -> failOn(1, 1));
                assertTrue(bad.waitFor(HANG));
                assertFalse(bad.successful());
            } finally {
                gate.set(); // NOTE: before close, which waits for the task held at the gate
            }
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void starmap_of_an_item_that_is_no_pair_or_null_fails_with_IllegalArgumentException() throws Exception {
        try (Pool pool = new Pool(1)) {
            List raw = new ArrayList<>(List.of(Map.entry(1, 2), "not a pair"));
            SerializableBiFunction<Integer, Integer, Integer> add = Integer::sum;
            assertThrows(IllegalArgumentException.class, () -> pool.starmap(add, (List<Map.Entry<Integer, Integer>>) raw, 1));
            List<Map.Entry<Integer, Integer>> withNull = new ArrayList<>();
            withNull.add(null);
            assertThrows(IllegalArgumentException.class, () -> pool.starmap(add, withNull));
            // a pair with null parts is fine
            List<Map.Entry<Integer, Integer>> nullParts = List.of(new AbstractMap.SimpleEntry<>(null, null));
            assertEquals(Arrays.asList((Object) null), pool.starmap((a, b) -> a == null && b == null ? null : 0, nullParts));
        }
    }

    @Test
    void map_over_nothing_or_over_nulls_works_and_bad_chunksizes_are_refused_at_once() throws Exception {
        try (Pool pool = new Pool(1)) {
            assertEquals(List.of(), pool.map(x -> x, List.of()));
            assertEquals(List.of(), pool.map(x -> x, List.of(), 5));
            assertFalse(pool.imap(x -> x, List.of()).hasNext());
            assertFalse(pool.imapUnordered(x -> x, List.of(), 3).hasNext());
            List<Integer> withNulls = Arrays.asList(1, null, 3, null);
            assertEquals(Arrays.asList(2, null, 6, null), pool.map(x -> x == null ? null : x * 2, withNulls, 2));
            assertEquals(Arrays.asList(2, -1, 6, -1), pool.map(x -> x == null ? -1 : x * 2, withNulls));
            List<Object> viaImap = new ArrayList<>();
            pool.imap((Integer x) -> x == null ? null : x * 2, withNulls, 3).forEachRemaining(viaImap::add);
            assertEquals(Arrays.asList(2, null, 6, null), viaImap);
            for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, List.of(1), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.mapAsync(x -> x, List.of(1), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.imap(x -> x, List.of(1), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.imapUnordered(x -> x, List.of(1).iterator(), bad));
                assertThrows(IllegalArgumentException.class, () -> pool.starmap(Integer::sum, List.of(Map.entry(1, 2)), bad));
            }
        }
    }

    @Test
    void imap_with_maxTasksPerChild_1_gives_every_result_in_order() {
        try (Pool pool = Pool.builder().processes(2).maxTasksPerChild(1).build()) {
            List<Integer> out = new ArrayList<>();
            pool.imap(x -> x * 3, IntStream.range(0, 12).boxed().toList()).forEachRemaining(out::add);
            assertEquals(IntStream.range(0, 12).map(x -> x * 3).boxed().toList(), out);
            List<Integer> un = new ArrayList<>();
            pool.imapUnordered(x -> x * 3, IntStream.range(0, 12).boxed().iterator(), 2).forEachRemaining(un::add);
            un.sort(null);
            assertEquals(out, un);
        }
    }

    @Test
    void every_call_after_terminate_or_close_is_refused_and_join_needs_one_of_them() throws Exception {
        Pool pool = new Pool(1);
        assertThrows(IllegalStateException.class, pool::join);
        pool.terminate();
        pool.join();
        assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
        assertThrows(IllegalStateException.class, () -> pool.applyAsync(() -> 1));
        assertThrows(IllegalStateException.class, () -> pool.map(x -> x, List.of(1)));
        assertThrows(IllegalStateException.class, () -> pool.map(x -> x, List.of()));
        assertThrows(IllegalStateException.class, () -> pool.imap(x -> x, List.of(1)));
        assertThrows(IllegalStateException.class, () -> pool.imapUnordered(x -> x, List.of(1).iterator()));
        assertThrows(IllegalStateException.class, () -> pool.starmapAsync(Integer::sum, List.of(Map.entry(1, 2))));
        pool.close();
        pool.terminate();
        pool.join();
    }

    static int throwHostile() {
        throw new HostileException();
    }

    @Test
    void a_task_exception_whose_getMessage_throws_fails_only_its_task_not_its_worker() throws Exception {
        try (Pool pool = new Pool(1)) {
            long before = pool.apply(PoolCornersTest::pid);
            AsyncResult<Integer> r = pool.applyAsync(PoolCornersTest::throwHostile);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertInstanceOf(HostileException.class, e.getCause()); // NOTE: it travels whole: only its description asks getMessage
            assertEquals(before, (long) pool.apply(PoolCornersTest::pid));
            assertEquals(0, pool.stats().workerDeaths(), pool.stats().toString());
        }
    }

    /** A chain so deep that serializing it overflows the stack. */
    static final class Deep implements java.io.Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final Deep next;

        Deep(Deep next) {
            this.next = next;
        }

        static Deep of(int depth) {
            Deep d = null;
            for (int i = 0; i < depth; i++) {
                d = new Deep(d);
            }
            return d;
        }
    }

    static final class CarryingException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        final Deep payload;

        CarryingException(Deep payload) {
            super("carries a deep payload");
            this.payload = payload;
        }
    }

    static int throwDeep() {
        throw new CarryingException(Deep.of(1_000_000));
    }

    @Test
    void a_task_exception_too_deep_to_serialize_fails_only_its_task_not_its_worker() throws Exception {
        try (Pool pool = new Pool(1)) {
            long before = pool.apply(PoolCornersTest::pid);
            AsyncResult<Integer> r = pool.applyAsync(PoolCornersTest::throwDeep);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertFalse(e.getCause() instanceof WorkerDiedException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("carries a deep payload"), String.valueOf(e.getCause()));
            assertEquals(before, (long) pool.apply(PoolCornersTest::pid));
        }
    }

    @Test
    void a_result_too_deep_to_serialize_fails_only_its_task() throws Exception {
        try (Pool pool = new Pool(1)) {
            long before = pool.apply(PoolCornersTest::pid);
            AsyncResult<Deep> r = pool.applyAsync(() -> Deep.of(1_000_000));
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertFalse(e.getCause() instanceof WorkerDiedException, String.valueOf(e.getCause()));
            assertEquals(before, (long) pool.apply(PoolCornersTest::pid));
            assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x == 1 ? (Object) new Object() : x, List.of(0, 1, 2), 1));
            assertEquals(before, (long) pool.apply(PoolCornersTest::pid));
        }
    }

    static Object unserializableAt(int x, int bad) {
        return x == bad ? new Object() : x;
    }

    @Test
    void an_unserializable_result_fails_its_imap_chunk_at_its_place_and_the_rest_follow() {
        try (Pool pool = new Pool(2)) {
            ResultIterator<Object> it = pool.imap(x -> unserializableAt(x, 4), IntStream.range(0, 9).boxed().toList(), 3);
            List<Object> seen = new ArrayList<>();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    seen.add(it.next());
                } catch (IllegalArgumentException e) {
                    seen.add("unserializable");
                }
            }
            assertEquals(List.of(0, 1, 2, "unserializable", 6, 7, 8), seen);
        }
    }

    /** Hostile in the worker and not serializable either: only its description can travel. */
    static final class HostileUnserializableException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object notSerializable = new Object();

        @Override
        public String getMessage() {
            throw new UnsupportedOperationException("getMessage of a hostile exception");
        }
    }

    static int throwHostileUnserializable() {
        throw new HostileUnserializableException();
    }

    @Test
    void an_unserializable_exception_whose_getMessage_throws_arrives_as_RemoteException_saying_so() throws Exception {
        try (Pool pool = new Pool(1)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.applyAsync(PoolCornersTest::throwHostileUnserializable).get(HANG));
            RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
            assertTrue(remote.getMessage().contains(HostileUnserializableException.class.getName()), remote.getMessage());
            assertTrue(remote.getMessage().contains("getMessage() threw java.lang.UnsupportedOperationException"), remote.getMessage());
            assertEquals(0, pool.stats().workerDeaths(), pool.stats().toString());
        }
    }

    static int exitNow() {
        System.exit(7);
        return 0;
    }

    @Test
    void the_error_callback_gets_a_worker_death_and_get_returns_after_it() throws Exception {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        try (Pool pool = new Pool(1)) {
            AsyncResult<Integer> r = pool.applyAsync(PoolCornersTest::exitNow, x -> seen.add(new AssertionError("callback")), seen::add);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(List.of(e.getCause()), seen);
            assertEquals(1, pool.apply(() -> 1));
        }
    }

    @Test
    void an_interrupted_hasNext_leaves_the_iterator_usable() throws Exception {
        try (Event gate = new Event(); Pool pool = new Pool(1)) {
            try {
                ResultIterator<Integer> it = pool.imap(x -> passAfter(gate, x), List.of(5, 6), 1);
                Thread.currentThread().interrupt();
                ProcessError e = assertThrows(ProcessError.class, it::hasNext);
                assertInstanceOf(InterruptedException.class, e.getCause());
                assertTrue(Thread.interrupted());
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, () -> it.next(HANG));
                assertFalse(Thread.interrupted());
                gate.set();
                assertEquals(5, it.next());
                assertEquals(6, it.next(HANG));
                assertFalse(it.hasNext());
            } finally {
                gate.set(); // NOTE: before close, which waits for the task held at the gate
            }
        }
    }

    static int throwCycle() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);
        throw a;
    }

    @Test
    void an_exception_with_a_cause_cycle_arrives() throws Exception {
        try (Pool pool = new Pool(1)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> pool.applyAsync(PoolCornersTest::throwCycle).get(HANG));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertInstanceOf(IllegalArgumentException.class, e.getCause().getCause());
        }
    }

    @Test
    void imapUnordered_over_an_input_that_throws_gives_the_results_read_before_it_then_its_error() {
        Iterator<Integer> input = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                if (i == 7) {
                    throw new IllegalStateException("input broke");
                }
                return true;
            }

            @Override
            public Integer next() {
                return i++;
            }
        };
        try (Pool pool = new Pool(2)) {
            List<Object> seen = drain(pool.imapUnordered(x -> x, input, 2));
            assertEquals("!input broke", seen.getLast());
            List<Object> values = new ArrayList<>(seen.subList(0, seen.size() - 1));
            values.sort(null);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), values);
        }
    }

    @Test
    void after_close_an_endless_imap_gives_the_results_of_the_items_read_then_IllegalStateException_then_ends() {
        ResultIterator<Integer> it;
        try (Pool pool = new Pool(2)) {
            it = pool.imap(x -> x + 1, IntStream.iterate(0, i -> i + 1).boxed().iterator(), 3);
            assertEquals(1, it.next());
        }
        int expected = 2;
        while (true) {
            try {
                assertEquals(expected++, it.next());
            } catch (IllegalStateException stop) {
                break;
            }
        }
        assertTrue(expected > 3, "the rest of the first chunk at least: " + expected);
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, () -> it.next(Duration.ZERO));
    }

    /** An exception whose getCause() throws in any JVM but the one that raised it. */
    static final class CauseHidingException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long raisedIn = ProcessHandle.current().pid();

        CauseHidingException() {
            super("hides its cause elsewhere");
        }

        @Override
        public synchronized Throwable getCause() {
            if (ProcessHandle.current().pid() != raisedIn) {
                throw new UnsupportedOperationException("getCause outside pid " + raisedIn);
            }
            return super.getCause();
        }
    }

    static int throwCauseHiding() {
        throw new CauseHidingException();
    }

    @Test
    void a_task_exception_whose_getCause_throws_here_still_settles_its_task() throws Exception {
        try (Pool pool = new Pool(1)) {
            AsyncResult<Integer> r = pool.applyAsync(PoolCornersTest::throwCauseHiding);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
            assertInstanceOf(CauseHidingException.class, e.getCause());
            assertEquals(0, pool.stats().workerDeaths(), pool.stats().toString());
            assertEquals(2, pool.apply(() -> 2));
        }
    }

    /** An exception that travels whole but cannot be rebuilt in the pool's JVM: its readObject throws an Error. */
    static final class UnreadableException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        UnreadableException() {
            super("cannot be read back");
        }

        @Serial
        private void readObject(java.io.ObjectInputStream in) {
            throw new AssertionError("readObject refuses");
        }
    }

    static int throwUnreadable() {
        throw new UnreadableException();
    }

    @Test
    void a_task_exception_whose_decoding_throws_an_Error_arrives_as_RemoteException_with_its_class_and_message() throws Exception {
        try (Pool pool = new Pool(1)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> pool.applyAsync(PoolCornersTest::throwUnreadable).get(HANG));
            RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
            assertTrue(remote.getMessage().contains(UnreadableException.class.getName()), remote.getMessage());
            assertTrue(remote.getMessage().contains("cannot be read back"), remote.getMessage());
        }
    }

    @Test
    void an_initializer_exception_whose_getMessage_throws_breaks_the_pool_with_that_exception_as_cause() throws Exception {
        try (Pool pool = Pool.builder().processes(1).initializer(PoolCornersTest::throwHostile).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> pool.applyAsync(() -> 1).get(HANG));
            BrokenProcessPoolException broken = assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertInstanceOf(HostileException.class, broken.getCause());
        }
    }

    @Test
    void a_callback_that_throws_an_exception_whose_getMessage_throws_still_lets_its_result_be_ready() throws Exception {
        try (Pool pool = new Pool(1)) {
            AsyncResult<Integer> ok = pool.applyAsync(() -> 1, r -> {
                throw new HostileException();
            });
            AsyncResult<Integer> failed = pool.applyAsync(() -> failOn(2, 2), null, e -> {
                throw new HostileException();
            });
            assertEquals(1, ok.get(HANG));
            ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(HANG));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }
}
