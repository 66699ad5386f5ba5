package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** ProcessPoolExecutor as an ExecutorService, with real worker JVMs. */
class ProcessPoolExecutorTest extends ChildProcessTestBase {

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** {@code x} after 300 ms (a worker's task). */
    static int slowIdentity(int x) {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return x;
    }

    static int sleepThen(int value, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return value;
    }

    @Test
    void submit_returns_a_CompletableFuture_of_the_result_computed_in_a_worker() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            CompletableFuture<Long> worker = ex.submit(ProcessPoolExecutorTest::pid);
            assertNotEquals(pid(), worker.get(60, TimeUnit.SECONDS));
            int base = 6;
            assertEquals(42, ex.submit(() -> base * 7).thenApply(x -> x).get());
            ExecutionException e = assertThrows(ExecutionException.class, () -> ex.submit(() -> {
                throw new ArithmeticException("boom");
            }).get());
            assertInstanceOf(ArithmeticException.class, e.getCause());
            assertEquals(2, ex.maxWorkers());
        }
    }

    @Test
    void map_is_a_lazy_ordered_stream_with_chunks() {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            List<Integer> input = IntStream.range(0, 500).boxed().toList();
            assertEquals(input.stream().map(x -> x * x).toList(), ex.map(x -> x * x, input, 50).toList());
            assertEquals(List.of(2, 3), ex.map(x -> x + 1, List.of(1, 2)).toList());
            assertThrows(ArithmeticException.class, () -> ex.map(x -> 1 / x, List.of(1, 0, 2)).toList());
        }
    }

    @Test
    void map_over_an_endless_iterable_is_lazy_and_reads_a_bounded_number_of_items_ahead() throws Exception {
        EndlessInput input = new EndlessInput();
        Iterable<Long> endless = () -> input;
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            java.util.stream.Stream<Long> squares = ex.map(x -> x * x, endless, 10);
            assertEquals(LongStream.range(0, 100).map(x -> x * x).boxed().toList(), squares.limit(100).toList());
            long bound = 100 + (8L * 2 + 1) * 10; // what was consumed, plus the look-ahead bound of imap (PoolFaultTest)
            assertTrue(input.read() <= bound, "read " + input.read() + " items for 100 results; bound " + bound);
            squares.close();
        }
    }

    @Test
    void closing_a_map_stream_stops_reading_its_input_while_the_executor_serves_on() throws Exception {
        EndlessInput input = new EndlessInput();
        Iterable<Long> endless = () -> input;
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            Set<Thread> before = feeders();
            try (java.util.stream.Stream<Long> squares = ex.map(x -> x * x, endless, 10)) {
                assertEquals(List.of(0L, 1L, 4L), squares.limit(3).toList());
                assertTrue(feeders().size() > before.size(), "a feeder reads the input while the stream is open");
            }
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!feeders().equals(before)) {
                assertTrue(System.nanoTime() < deadline, "the feeder of a closed stream still runs: " + feeders());
                Thread.sleep(10);
            }
            long read = input.read();
            assertEquals(List.of(4L, 9L), ex.map(x -> x * x, List.of(2L, 3L)).toList(), "the executor serves on");
            assertEquals(read, input.read(), "nothing more was read from the closed stream's input");
        }
    }

    @Test
    void closing_a_map_stream_cancels_the_chunks_no_worker_has_started() throws Exception {
        List<Integer> items = java.util.stream.IntStream.range(0, 40).boxed().toList();
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            try (java.util.stream.Stream<Integer> slow = ex.map(ProcessPoolExecutorTest::slowIdentity, items, 1)) {
                assertEquals(0, slow.findFirst().orElseThrow());
                // NOTE: the feeder queued its look-ahead (8 chunks for one worker) at the start; the worker runs
                // the second chunk (300-600 ms) when the stream closes, 150 ms after the first result
                Thread.sleep(150);
            }
            ex.shutdown();
            assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS));
            // NOTE: the first chunk and the second (running at the close), with a margin of two 300 ms chunks
            long completed = ex.stats().tasksCompleted();
            assertTrue(completed <= 4, completed + " chunks ran after the stream was closed; queued ones should be cancelled");
        }
    }

    @Test
    void an_iterator_taken_before_the_stream_closed_throws_CancellationException_at_the_first_cancelled_chunk()
            throws Exception {
        List<Integer> items = java.util.stream.IntStream.range(0, 40).boxed().toList();
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            java.util.stream.Stream<Integer> slow = ex.map(ProcessPoolExecutorTest::slowIdentity, items, 1);
            java.util.Iterator<Integer> it = slow.iterator();
            assertEquals(0, it.next());
            slow.close();
            int yielded = 1;
            CancellationException cancelled = null;
            try {
                // NOTE: the stream's iterator looks ahead in hasNext(), so either call may throw
                while (it.hasNext()) {
                    assertEquals(yielded, it.next(), "results keep their order up to the cancelled chunk");
                    yielded++;
                }
            } catch (CancellationException e) {
                cancelled = e;
            }
            assertNotNull(cancelled, "all " + yielded + " results came although the stream was closed");
            assertTrue(yielded < items.size(), yielded + " results");
        }
    }

    /** The live imap feeder threads of this JVM. */
    private static Set<Thread> feeders() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith("-imap-feeder") && t.isAlive())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void shutdown_without_wait_returns_at_once_and_without_cancel_still_runs_what_was_queued() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        CompletableFuture<Integer> running = ex.submit(() -> sleepThen(1, 300));
        CompletableFuture<Integer> queued = ex.submit(() -> 2);
        ex.shutdown(false, false);
        assertFalse(running.isDone(), "shutdown(false, ...) does not wait for the running task");
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> ex.submit(() -> 3));
        assertEquals(1, running.get(60, TimeUnit.SECONDS));
        assertEquals(2, queued.get(60, TimeUnit.SECONDS), "queued before shutdown, not cancelled: it still runs");
        assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS));
    }

    @Test
    void bad_arguments_are_refused_clearly() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new ProcessPoolExecutor(0));
        assertTrue(zero.getMessage().contains("0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcessPoolExecutor.builder().maxWorkers(-1));
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            Callable<Integer> plain = new Callable<>() {
                @Override
                public Integer call() {
                    return 1;
                }
            };
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ex.submit(plain));
            assertTrue(e.getMessage().contains("serializable"), e.getMessage());
            Runnable plainRunnable = () -> { };
            assertThrows(IllegalArgumentException.class, () -> ex.execute(plainRunnable));
        }
    }

    /** Writes {@code text} to {@code file} (a task that returns nothing). */
    static void write(String file, String text) {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), text + " " + pid());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void a_lambda_that_returns_nothing_runs_in_a_worker_through_submit_and_execute_without_a_cast() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("mp4j-void-task");
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            String submitted = dir.resolve("submitted").toString();
            String executed = dir.resolve("executed").toString();
            CompletableFuture<Void> f = ex.submit(() -> write(submitted, "submit"));
            assertEquals(null, f.get(60, TimeUnit.SECONDS));
            ex.execute(() -> write(executed, "execute"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> ex.submit(() -> {
                throw new IllegalStateException("void task failed");
            }).get(60, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            ex.shutdown(true, false);
            for (String file : List.of(submitted, executed)) {
                String text = java.nio.file.Files.readString(java.nio.file.Path.of(file));
                assertNotEquals(String.valueOf(pid()), text.substring(text.indexOf(' ') + 1), "ran in a worker: " + text);
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path p : files.toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void a_task_that_throws_CancellationException_completes_its_future_exceptionally_not_cancelled() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> f = ex.submit(() -> {
                throw new CancellationException("the task's own");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            assertInstanceOf(CancellationException.class, e.getCause());
            assertFalse(f.isCancelled(), "nothing was cancelled");
            assertTrue(f.isCompletedExceptionally());
            CompletableFuture<Integer> shutDownOn = ex.submit(() -> {
                Thread.sleep(60_000);
                return 1;
            });
            Thread.sleep(200);
            ex.shutdownNow();
            assertThrows(CancellationException.class, () -> shutDownOn.get(60, TimeUnit.SECONDS), "shutdownNow still cancels");
        }
    }

    @Test
    void submit_after_shutdown_is_rejected_and_queued_tasks_still_run() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        CompletableFuture<Integer> queued = ex.submit(() -> sleepThen(3, 100));
        CompletableFuture<Integer> queued2 = ex.submit(() -> 4);
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 1));
        assertEquals(3, queued.get(60, TimeUnit.SECONDS));
        assertEquals(4, queued2.get(60, TimeUnit.SECONDS));
        assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS));
        assertTrue(ex.isTerminated());
    }

    @Test
    void shutdownNow_kills_running_tasks_and_returns_the_queued_ones() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        CompletableFuture<Integer> running = ex.submit(() -> sleepThen(1, 600_000));
        while (ex.stats().tasksRunning() == 0) {
            Thread.sleep(5);
        }
        CompletableFuture<Integer> queued = ex.submit(() -> 2);
        List<Runnable> never = ex.shutdownNow();
        assertEquals(1, never.size());
        assertThrows(CancellationException.class, running::get);
        assertThrows(CancellationException.class, queued::get);
        assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS));
    }

    @Test
    void shutdown_with_cancelFutures_cancels_only_what_has_not_started() throws Exception {
        // NOTE: the running task waits for release, not 300 ms: a test thread stalled that long under load
        // let it end and the queued task start before shutdown, which then rightly did not cancel it
        try (Event release = new Event()) {
            ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            while (ex.stats().tasksRunning() == 0) {
                Thread.sleep(5);
            }
            CompletableFuture<Integer> queued = ex.submit(() -> 2);
            queued.whenComplete((v, e) -> release.set()); // shutdown(wait) returns after the running task
            ex.shutdown(true, true);
            assertEquals(1, running.get(), "the running task was released after shutdown cancelled the queued one");
            assertTrue(queued.isCancelled());
            assertTrue(ex.isTerminated());
        }
    }

    @Test
    void cancel_false_cancels_only_a_queued_task_and_cancel_true_kills_a_running_one() throws Exception {
        try (Event release = new Event(); ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            // NOTE: the running task waits for release, not 300 ms: see shutdown_with_cancelFutures_...
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            while (ex.stats().tasksRunning() == 0) {
                Thread.sleep(5);
            }
            CompletableFuture<Integer> queued = ex.submit(() -> 2);
            assertTrue(queued.cancel(false));
            assertFalse(running.cancel(false));
            release.set();
            assertEquals(1, running.get());
            assertTrue(queued.isCancelled());
            CompletableFuture<Integer> runaway = ex.submit(() -> sleepThen(1, 600_000));
            while (ex.stats().tasksRunning() == 0) {
                Thread.sleep(5);
            }
            long victim = ex.stats().workers().getFirst().pid();
            assertTrue(runaway.cancel(true));
            assertThrows(CancellationException.class, runaway::get);
            assertTrue(ProcessHandle.of(victim).map(h -> h.onExit().orTimeout(60, TimeUnit.SECONDS).join()).isPresent()
                    || ProcessHandle.of(victim).isEmpty(), "the runaway task's worker was killed");
            assertEquals(3, ex.submit(() -> 3).get(60, TimeUnit.SECONDS), "a replacement serves");
        }
    }

    @Test
    void a_cancelled_task_does_not_count_toward_maxTasksPerChild() throws Exception {
        try (ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(1).build()) {
            CompletableFuture<Integer> first = ex.submit(() -> 1);
            first.cancel(false);
            assertEquals(2, ex.submit(() -> 2).get(60, TimeUnit.SECONDS));
            assertEquals(3, ex.submit(() -> 3).get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void invokeAll_and_invokeAny_work_as_in_java_util_concurrent() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            List<SerializableCallable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> {
                throw new IllegalStateException("third");
            });
            List<Future<Integer>> all = ex.invokeAll(tasks);
            assertEquals(1, all.get(0).get());
            assertEquals(2, all.get(1).get());
            assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, () -> all.get(2).get()).getCause());
            int any = ex.invokeAny(List.<SerializableCallable<Integer>>of(() -> {
                throw new IllegalStateException("fails");
            }, () -> sleepThen(7, 50)));
            assertEquals(7, any);
            List<Future<Integer>> timed = ex.invokeAll(List.<SerializableCallable<Integer>>of(() -> sleepThen(1, 600_000)), 200, TimeUnit.MILLISECONDS);
            assertTrue(timed.getFirst().isDone());
            assertThrows(TimeoutException.class, () -> ex.invokeAny(List.<SerializableCallable<Integer>>of(() -> sleepThen(1, 600_000)),
                    200, TimeUnit.MILLISECONDS));
            ex.shutdownNow();
        }
    }

    @Test
    void a_failing_initializer_breaks_the_executor_for_pending_and_later_submissions() throws Exception {
        try (ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(1).initializer(() -> {
            throw new IllegalStateException("bad init");
        }).build()) {
            CompletableFuture<Integer> pending = ex.submit(() -> 1);
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(60, TimeUnit.SECONDS));
            assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertFalse(e.getCause() instanceof WorkerDiedException);
            assertThrows(BrokenProcessPoolException.class, () -> ex.submit(() -> 2));
        }
    }

    @Test
    void a_worker_crash_fails_its_task_with_WorkerDiedException_and_the_executor_heals() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            CompletableFuture<Integer> crash = ex.submit(() -> {
                Runtime.getRuntime().halt(9);
                return 0;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> crash.get(60, TimeUnit.SECONDS));
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertInstanceOf(BrokenProcessPoolException.class, died);
            assertEquals(9, died.exitCode());
            assertEquals(5, ex.submit(() -> 5).get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void it_is_usable_through_the_ExecutorService_interface() throws Exception {
        ExecutorService service = new ProcessPoolExecutor(1);
        try {
            Callable<String> task = (SerializableCallable<String>) () -> "via interface";
            assertEquals("via interface", service.submit(task).get(60, TimeUnit.SECONDS));
            Runnable r = (SerializableRunnable) () -> { };
            assertEquals("done", service.submit(r, "done").get(60, TimeUnit.SECONDS));
        } finally {
            service.close();
        }
        assertTrue(service.isTerminated());
    }
}
