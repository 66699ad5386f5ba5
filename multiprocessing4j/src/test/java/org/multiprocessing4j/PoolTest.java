package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Pool's calls and their results, errors and lifecycle, on one shared pool of real worker JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolTest {
    private Pool pool;

    @BeforeAll
    void startPool() {
        pool = new Pool(2);
    }

    @AfterAll
    void closePool() {
        pool.close();
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void apply_runs_the_task_in_another_process_and_returns_its_result() throws Exception {
        long worker = pool.apply(PoolTest::pid);
        assertNotEquals(pid(), worker);
        int base = 20;
        assertEquals(400, pool.apply(() -> base * base));
    }

    /** The pool reads answers into reused buffers: a result must not share memory with a later answer's bytes. */
    @Test
    void a_tasks_interrupt_status_does_not_reach_the_next_task_of_its_worker() throws Exception {
        try (Pool one = new Pool(1)) {
            long worker = one.apply(() -> {
                Thread.currentThread().interrupt(); // e.g. a task restoring an interrupt it caught
                return pid();
            });
            // NOTE: before, the status ended the worker's wait for its next task (a worker death) or failed this sleep
            assertEquals(worker, one.apply(() -> {
                Thread.sleep(10);
                return pid();
            }));
        }
    }

    @Test
    void large_results_stay_intact_while_later_answers_arrive() throws Exception {
        List<AsyncResult<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int k = i;
            results.add(pool.applyAsync(() -> {
                byte[] b = new byte[(1 << 20) + k];
                java.util.Arrays.fill(b, (byte) (k + 1));
                return b;
            }));
        }
        List<byte[]> got = new ArrayList<>();
        for (AsyncResult<byte[]> r : results) {
            got.add(r.get());
        }
        List<List<Integer>> chunks = pool.map(n -> java.util.Collections.nCopies(50_000, n), List.of(1, 2, 3, 4), 1);
        for (int i = 0; i < got.size(); i++) {
            byte[] b = got.get(i);
            assertEquals((1 << 20) + i, b.length, "length of result " + i);
            for (byte x : b) {
                if (x != i + 1) {
                    throw new AssertionError("result " + i + " holds a byte " + x + " that another answer wrote");
                }
            }
        }
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(java.util.Collections.nCopies(50_000, i + 1), chunks.get(i), "map result " + i);
        }
    }

    @Test
    void applyAsync_runs_callbacks_on_one_result_thread_before_the_result_is_ready() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AsyncResult<Integer> ok = pool.applyAsync(() -> 7, r -> seen.add("ok " + r + " " + Thread.currentThread().getName()), null);
        assertEquals(7, ok.get(Duration.ofSeconds(60)));
        assertTrue(seen.getFirst().startsWith("ok 7 "), seen.toString());
        AsyncResult<Integer> bad = pool.applyAsync(() -> {
            throw new IllegalStateException("nope");
        }, r -> seen.add("wrong"), e -> seen.add("error " + e.getClass().getSimpleName() + " " + Thread.currentThread().getName()));
        assertTrue(bad.waitFor(Duration.ofSeconds(60)));
        assertFalse(bad.successful());
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(1).startsWith("error IllegalStateException "), seen.toString());
        assertEquals(seen.get(0).substring(seen.get(0).lastIndexOf(' ')), seen.get(1).substring(seen.get(1).lastIndexOf(' ')),
                "both callbacks on the same result thread");
        ExecutionException e = assertThrows(ExecutionException.class, bad::get);
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void a_task_that_throws_CancellationException_or_CompletionException_failed_and_was_not_cancelled() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AsyncResult<Integer> own = pool.applyAsync(() -> {
            throw new java.util.concurrent.CancellationException("the task's own");
        }, r -> { }, errors::add);
        ExecutionException e = assertThrows(ExecutionException.class, () -> own.get(Duration.ofSeconds(60)));
        assertInstanceOf(java.util.concurrent.CancellationException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("the task's own"), e.getCause().getMessage());
        assertFalse(own.isCancelled(), "the pool cancelled nothing");
        assertFalse(own.successful());
        assertEquals(1, errors.size(), "the error callback ran, as CPython's error_callback for any exception");
        assertInstanceOf(java.util.concurrent.CancellationException.class, errors.getFirst());
        java.util.concurrent.CancellationException itself = assertThrows(java.util.concurrent.CancellationException.class,
                () -> pool.apply(() -> {
                    throw new java.util.concurrent.CancellationException("from apply");
                }), "apply throws it as itself");
        assertTrue(itself.getMessage().contains("from apply"), itself.getMessage());
        AsyncResult<Integer> wrapped = pool.applyAsync(() -> {
            throw new java.util.concurrent.CompletionException("the task's own", new IOException("inner"));
        });
        ExecutionException w = assertThrows(ExecutionException.class, () -> wrapped.get(Duration.ofSeconds(60)));
        assertInstanceOf(java.util.concurrent.CompletionException.class, w.getCause(), "its type is kept");
    }

    @Test
    void a_timed_get_that_runs_out_throws_TimeoutException_and_the_result_still_arrives_later() throws Exception {
        // NOTE: the task waits for release, not 1.5 s: the gets below must run out before it can end
        try (Event release = new Event()) {
            AsyncResult<Integer> slow = pool.applyAsync(() -> release.await(Duration.ofSeconds(60)) ? 42 : 0);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> slow.get(Duration.ofMillis(50)));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> slow.get(Duration.ZERO), "zero tries once");
            assertFalse(slow.ready());
            release.set();
            assertEquals(42, slow.get(Duration.ofSeconds(60)));
            assertTrue(slow.ready());
            assertTrue(slow.successful());
        }
    }

    @Test
    void toCompletableFuture_completes_with_the_result_or_the_tasks_own_exception() throws Exception {
        assertEquals(9, pool.applyAsync(() -> 3 * 3).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS));
        java.util.concurrent.CompletableFuture<Integer> failed = pool.<Integer>applyAsync(() -> {
            throw new IllegalArgumentException("bad input 7");
        }).toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(60, java.util.concurrent.TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("bad input 7"), e.getCause().getMessage());
        assertTrue(failed.isCompletedExceptionally());
    }

    @Test
    void a_timed_next_that_runs_out_throws_TimeoutException_and_the_next_call_returns_that_result() throws Exception {
        // NOTE: the first item waits for release, not 1.5 s: the timed next below must run out before it ends
        try (Event release = new Event()) {
            ResultIterator<Integer> it = pool.imap((Integer x) -> {
                try {
                    if (x == 0 && !release.await(Duration.ofSeconds(60))) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return x * 10;
            }, List.of(0, 1, 2), 1);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> it.next(Duration.ofMillis(50)));
            release.set();
            assertEquals(0, it.next(Duration.ofSeconds(60)), "the result that was late, in its place");
            assertEquals(10, it.next(Duration.ofSeconds(60)));
            assertEquals(20, it.next(Duration.ofSeconds(60)));
            assertFalse(it.hasNext());
            assertThrows(java.util.NoSuchElementException.class, () -> it.next(Duration.ofSeconds(1)));
        }
    }

    @Test
    void map_without_a_chunksize_sends_cpythons_default_number_of_chunks() throws Exception {
        long before = pool.stats().tasksCompleted();
        List<Integer> out = pool.map(x -> x + 1, IntStream.range(0, 100).boxed().toList());
        assertEquals(IntStream.range(1, 101).boxed().toList(), out);
        // NOTE: ceil(100 / (4 × 2)) = 13 items a chunk: 7 chunks of 13 and one of 9
        assertEquals(8, pool.stats().tasksCompleted() - before, "chunks of map(f, range(100)) on a pool of 2");
        assertEquals(13, org.multiprocessing4j.internal.pool.Chunking.defaultChunksize(100, 2));
        assertEquals(63, org.multiprocessing4j.internal.pool.Chunking.defaultChunksize(1000, 4));
        assertEquals(1, org.multiprocessing4j.internal.pool.Chunking.defaultChunksize(3, 8));
        assertEquals(1, org.multiprocessing4j.internal.pool.Chunking.defaultChunksize(0, 4));
    }

    @Test
    void a_pool_asked_for_progress_bars_draws_each_map_call_up_to_its_total() throws Exception {
        try (CapturedOutput captured = new CapturedOutput();
             Pool withBars = Pool.builder().processes(2).progressBar(true).build()) {
            assertEquals(IntStream.range(0, 200).map(x -> x * 2).boxed().toList(),
                    withBars.map(x -> x * 2, IntStream.range(0, 200).boxed().toList(), 1));
            String err = captured.err();
            assertTrue(err.matches("(?s).* map 200/200 \\[=+\\] 100% .* it/s in \\d+:\\d\\d:\\d\\d\\R.*"),
                    "no final progress line of the map call in: " + err);
            try (Pool without = new Pool(1)) {
                without.map(x -> x, List.of(1, 2, 3), 1);
            }
            assertFalse(captured.err().substring(err.length()).contains(" map "), "a pool without progress bars drew one");
        }
    }

    @Test
    void a_fresh_pools_stats_count_results_and_failures_exactly_and_busy_time_covers_the_work() throws Exception {
        try (Pool fresh = new Pool(2)) {
            List<AsyncResult<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                results.add(fresh.applyAsync(() -> {
                    Thread.sleep(200);
                    if (n == 3) {
                        throw new IllegalStateException("task 3 fails");
                    }
                    return n;
                }));
            }
            for (AsyncResult<Integer> r : results) {
                assertTrue(r.waitFor(Duration.ofSeconds(60)));
            }
            PoolStats stats = fresh.stats();
            assertEquals(4, stats.tasksSubmitted(), stats.toString());
            assertEquals(3, stats.tasksCompleted(), stats.toString());
            assertEquals(1, stats.tasksFailed(), stats.toString());
            assertEquals(0, stats.tasksPending() + stats.tasksRunning(), stats.toString());
            assertEquals(0, stats.workerDeaths(), stats.toString());
            assertEquals(4, stats.workers().stream().mapToLong(PoolStats.WorkerStats::tasksCompleted).sum(), stats.toString());
            Duration busy = stats.workers().stream().map(PoolStats.WorkerStats::busyTime).reduce(Duration.ZERO, Duration::plus);
            assertTrue(busy.compareTo(Duration.ofMillis(800)) >= 0, "4 tasks of 200 ms, busy " + busy + ": " + stats);
        }
    }

    @Test
    void a_task_cannot_make_a_pool_of_its_own_as_a_daemon_cannot_have_children() throws Exception {
        String refused = pool.apply(() -> {
            try (Pool inner = new Pool(1)) {
                return "made " + inner;
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(refused.contains("daemonic processes are not allowed to have children"), refused);
    }

    @Test
    void successful_before_ready_is_an_error() throws Exception {
        // NOTE: the task waits for release, not 300 ms: a test thread stalled that long under load saw it ready
        try (Event release = new Event()) {
            AsyncResult<Integer> slow = pool.applyAsync(() -> release.await(Duration.ofSeconds(60)) ? 1 : 0);
            assertThrows(IllegalStateException.class, slow::successful);
            release.set();
            assertEquals(1, slow.get(Duration.ofSeconds(60)));
            assertTrue(slow.successful());
        }
    }

    @Test
    void map_keeps_input_order_with_any_chunksize() throws Exception {
        List<Integer> input = IntStream.range(0, 1000).boxed().toList();
        List<Integer> expected = input.stream().map(x -> x * x).toList();
        assertEquals(expected, pool.map(x -> x * x, input));
        assertEquals(expected, pool.map(x -> x * x, input, 1));
        assertEquals(expected, pool.map(x -> x * x, input, 333));
        assertEquals(expected, pool.mapAsync((Integer x) -> x * x, input, 7).get());
        assertEquals(List.of(), pool.map(x -> x, List.of()));
        // one call's chunks are collected in one reused array: chunks of Integers, Longs, Strings and nulls in turn
        List<Object> kinds = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            kinds.add(switch (i / 10) { case 0 -> (Object) i; case 1 -> (Object) (long) i; case 2 -> "s" + i; default -> i % 2 == 0 ? null : i; });
        }
        assertEquals(kinds, pool.map(x -> x, kinds, 10));
        assertEquals(kinds, pool.map(x -> x, kinds, 3));
    }

    @Test
    void a_chunksize_beyond_the_input_makes_one_chunk_as_in_cpython() throws Exception {
        List<Integer> input = IntStream.range(0, 1000).boxed().toList();
        List<Integer> expected = input.stream().map(x -> x * x).toList();
        // NOTE: these overflowed the chunk count (NegativeArraySizeException), or sized a chunk's array by the
        // chunksize (OutOfMemoryError: Requested array size exceeds VM limit)
        assertEquals(expected, pool.map(x -> x * x, input, Integer.MAX_VALUE));
        List<Integer> streamed = new java.util.ArrayList<>();
        pool.imap((Integer x) -> x * x, input, Integer.MAX_VALUE).forEachRemaining(streamed::add);
        assertEquals(expected, streamed);
        List<Integer> unordered = new java.util.ArrayList<>();
        pool.imapUnordered((Integer x) -> x * x, input.iterator(), Integer.MAX_VALUE - 1).forEachRemaining(unordered::add);
        assertEquals(expected, unordered.stream().sorted().toList());
        List<java.util.Map.Entry<Integer, Integer>> pairs = input.stream().map(x -> java.util.Map.entry(x, x)).toList();
        assertEquals(expected, pool.starmap((Integer a, Integer b) -> a * b, pairs, Integer.MAX_VALUE));
        // an imap chunk of more items than its first array holds (1 << 16) grows it and stays whole
        List<Integer> many = IntStream.range(0, 70_000).boxed().toList();
        List<Integer> back = new java.util.ArrayList<>();
        pool.imap((Integer x) -> x, many, 100_000).forEachRemaining(back::add);
        assertEquals(many, back);
    }

    /** Results of one numeric type travel packed (PackedList); the list a map returns is still a mutable list. */
    @Test
    void map_results_of_numbers_strings_and_nulls_make_an_ordinary_mutable_list() throws Exception {
        List<Integer> input = IntStream.range(0, 100).boxed().toList();
        List<Long> squares = pool.map(x -> (long) x * x, input, 10);
        assertEquals(input.stream().map(x -> (long) x * x).toList(), squares);
        squares.add(-1L);
        squares.set(0, 42L);
        assertEquals(101, squares.size());
        assertEquals(42L, squares.get(0));
        assertEquals(-1L, squares.get(100));
        // chunks of different kinds: Integers, then Longs, then a null and Strings
        List<Object> mixed = pool.map(x -> x < 10 ? (Object) x : x < 20 ? (Object) (long) x : x == 20 ? null : "s" + x, input, 10);
        for (int x = 0; x < 100; x++) {
            Object expected = x < 10 ? (Object) x : x < 20 ? (Object) (long) x : x == 20 ? null : "s" + x;
            assertEquals(expected, mixed.get(x), "result " + x);
        }
        mixed.remove(0);
        assertEquals(99, mixed.size());
    }

    @Test
    void map_over_a_plain_iterable_reads_it_all() throws Exception {
        Iterable<Integer> numbers = () -> IntStream.range(0, 10).iterator();
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18), pool.map(x -> 2 * x, numbers));
    }

    @Test
    void starmap_applies_the_function_to_each_pair() throws Exception {
        List<Map.Entry<Integer, String>> pairs = List.of(Map.entry(1, "a"), Map.entry(2, "b"), Map.entry(3, "c"));
        assertEquals(List.of("a", "bb", "ccc"), pool.starmap((Integer n, String s) -> s.repeat(n), pairs));
        assertEquals(List.of("a", "bb", "ccc"), pool.starmapAsync((Integer n, String s) -> s.repeat(n), pairs, 1).get());
    }

    @Test
    void imap_returns_results_in_order_and_imapUnordered_returns_each_once() throws Exception {
        List<Integer> input = IntStream.range(0, 200).boxed().toList();
        List<Integer> ordered = new ArrayList<>();
        pool.imap((Integer x) -> x + 1, input, 7).forEachRemaining(ordered::add);
        assertEquals(input.stream().map(x -> x + 1).toList(), ordered);
        Set<Integer> unordered = new HashSet<>();
        ResultIterator<Integer> it = pool.imapUnordered((Integer x) -> x + 1, input.iterator(), 3);
        while (it.hasNext()) {
            assertTrue(unordered.add(it.next(Duration.ofSeconds(60))));
        }
        assertEquals(200, unordered.size());
    }

    @Test
    void a_task_exception_arrives_as_itself_with_the_worker_named() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> {
            throw new IllegalArgumentException("bad value 42");
        }));
        assertEquals("bad value 42", e.getMessage());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("raised in pool worker"), root.toString());
        assertTrue(e.getStackTrace().length > 0 && e.getStackTrace()[0].getClassName().contains("PoolTest"),
                "the worker's stack trace: " + List.of(e.getStackTrace()));
    }

    @Test
    void a_checked_exception_is_wrapped_in_ProcessExecutionException() {
        ProcessExecutionException e = assertThrows(ProcessExecutionException.class, () -> pool.apply(() -> {
            throw new IOException("disk gone");
        }));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals("disk gone", e.getCause().getMessage());
    }

    @Test
    void map_raises_the_error_only_after_every_chunk_has_finished() {
        List<Integer> input = IntStream.range(0, 20).boxed().toList();
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> pool.map(x -> 10 / (x - 3), input, 1));
        assertTrue(e.getMessage().contains("by zero"));
        assertEquals(0, pool.stats().tasksRunning(), "no chunk still running when map threw");
    }

    @Test
    void imap_surfaces_a_task_error_at_its_position_and_goes_on() {
        ResultIterator<Integer> it = pool.imap((Integer x) -> 10 / (x - 1), List.of(0, 1, 2), 1);
        assertEquals(-10, it.next());
        assertThrows(ArithmeticException.class, it::next);
        assertEquals(10, it.next());
        assertFalse(it.hasNext());
    }

    @Test
    void unserializable_tasks_and_items_fail_the_call_with_the_class_named() {
        Object notSerializable = new Object();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> notSerializable.hashCode()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        IllegalArgumentException items = assertThrows(IllegalArgumentException.class,
                () -> pool.map(x -> x.hashCode(), List.of(new Object())));
        assertTrue(items.getMessage().contains("java.lang.Object"), items.getMessage());
    }

    @Test
    void an_unserializable_result_fails_only_its_task() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> new Object()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertEquals(5, pool.apply(() -> 5));
    }

    @Test
    void bad_chunksizes_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, List.of(1), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.imap(x -> x, List.of(1), -1));
    }

    @Test
    void every_task_runs_exactly_once_while_idle_workers_take_back_tasks_sent_ahead() throws Exception {
        try (LongValue runs = Value.rawLong(0)) {
            int n = 4_000;
            // Uneven task lengths make one worker fall idle while the other still has tasks sent ahead.
            List<Integer> out = pool.map(x -> {
                runs.getAndAdd(1);
                if (x % 97 == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
                return x;
            }, IntStream.range(0, n).boxed().toList(), 1);
            assertEquals(IntStream.range(0, n).boxed().toList(), out);
            assertEquals(n, runs.get(), "tasks run exactly once");
        }
    }

    @Test
    void large_arguments_and_results_arrive_exactly_with_several_sent_ahead_to_each_worker() throws Exception {
        // 1 MiB items: a worker holds several at once (its pipe's budget); a 9 MiB one is longer than the
        // pipe's ring and streams through it; the 3 MiB results are streamed back.
        List<byte[]> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(filled(i, (1 << 20) + i));
        }
        items.add(filled(10, 9 << 20));
        List<byte[]> out = pool.map(b -> {
            byte[] r = new byte[3 * b.length / 2 > 3 << 20 ? 16 : 3 << 20];
            for (int k = 0; k < r.length; k++) {
                r[k] = (byte) (b[k % b.length] + 1);
            }
            return r;
        }, items, 1);
        assertEquals(items.size(), out.size());
        for (int i = 0; i < items.size(); i++) {
            byte[] b = items.get(i);
            byte[] r = out.get(i);
            assertEquals(3 * b.length / 2 > 3 << 20 ? 16 : 3 << 20, r.length, "length of result " + i);
            for (int k = 0; k < r.length; k++) {
                if (r[k] != (byte) (b[k % b.length] + 1)) {
                    throw new AssertionError("result " + i + " differs at byte " + k);
                }
            }
        }
        List<Integer> lengths = pool.map(b -> b.length, items, 1);
        assertEquals(items.stream().map(b -> b.length).toList(), lengths);
    }

    private static byte[] filled(int seed, int length) {
        byte[] b = new byte[length];
        new java.util.SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void stats_count_tasks_and_show_the_workers() throws Exception {
        long before = pool.stats().tasksCompleted();
        pool.map(x -> x, List.of(1, 2, 3, 4), 1);
        PoolStats stats = pool.stats();
        assertTrue(stats.tasksCompleted() >= before + 4, stats.toString());
        assertEquals(2, stats.processes());
    }
}
