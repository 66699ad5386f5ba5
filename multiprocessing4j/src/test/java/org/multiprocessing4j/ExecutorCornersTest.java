package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Less-travelled corners of {@link ProcessPoolExecutor}, with real worker JVMs: {@code map} streams that fail,
 * split or end early, {@code invokeAny}, the shutdown variants, futures completed by their user, and a broken
 * executor. Each is held against the {@code ExecutorService}/{@code CompletableFuture} contracts and CPython
 * 3.11's {@code concurrent.futures}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecutorCornersTest extends ChildProcessTestBase {

    static int sleepThen(int value, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return value;
    }

    /** {@code x} after 300 ms, except 0, which fails at once. */
    static int failOnZeroElseSlow(int x) {
        if (x == 0) {
            throw new ArithmeticException("item 0");
        }
        try {
            return sleepThen(x, 300);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitUntilRunning(ProcessPoolExecutor ex, int tasks) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (ex.stats().tasksRunning() < tasks) {
            assertTrue(System.nanoTime() < deadline, "no task started: " + ex.stats());
            Thread.sleep(5);
        }
    }

    // ---------------------------------------------------------------- map

    @Test
    void an_exception_mid_stream_cancels_the_chunks_no_worker_has_started_as_CPython_map_does() throws Exception {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            Stream<Integer> results = ex.map(ExecutorCornersTest::failOnZeroElseSlow, items, 1);
            // NOTE: not closed: CPython's map generator cancels the pending futures when it raises, closed or not
            assertThrows(ArithmeticException.class, results::toList);
            String feeder = ex.toString().substring(0, ex.toString().indexOf('[')) + "-imap-feeder";
            long deadline = System.nanoTime() + HANG.toNanos();
            while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(feeder) && t.isAlive())) {
                assertTrue(System.nanoTime() < deadline, "the input reader of the failed stream still runs");
                Thread.sleep(10);
            }
            ex.shutdown();
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
            // NOTE: the failing chunk, and at most the one or two a worker had started, with a margin of one
            long completed = ex.stats().tasksCompleted();
            assertTrue(completed <= 3, completed + " chunks of 300 ms ran after the stream threw at its first item");
        }
    }

    @Test
    void a_map_stream_may_be_made_parallel_or_sorted_and_keeps_every_result() {
        List<Integer> items = IntStream.range(0, 300).boxed().toList();
        List<Integer> doubled = items.stream().map(x -> 2 * x).toList();
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            assertEquals(doubled, ex.map(x -> 2 * x, items, 7).parallel().toList(), "an ordered stream stays ordered");
            assertEquals(doubled.stream().sorted(Comparator.reverseOrder()).toList(),
                    ex.map(x -> 2 * x, items, 7).sorted(Comparator.reverseOrder()).toList());
            assertEquals(doubled.stream().mapToLong(Integer::longValue).sum(),
                    ex.map(x -> 2 * x, items, 3).parallel().mapToLong(Integer::longValue).sum());
        }
    }

    @Test
    void an_input_that_throws_ends_the_stream_with_its_exception_after_the_items_read_before() {
        Iterable<Integer> failing = () -> new BreakingInput(5, "input broke at 5");
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            List<Integer> seen = new ArrayList<>();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try (Stream<Integer> s = ex.map(x -> x + 100, failing, 2)) {
                    s.forEach(seen::add);
                }
            });
            assertEquals("input broke at 5", e.getMessage());
            assertEquals(List.of(100, 101, 102, 103, 104), seen);
            Iterable<Integer> noIterator = () -> {
                throw new UnsupportedOperationException("no iterator");
            };
            assertThrows(UnsupportedOperationException.class, () -> ex.map(x -> x, noIterator));
        }
    }

    @Test
    void bad_map_arguments_and_map_after_shutdown_are_refused() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            assertThrows(IllegalArgumentException.class, () -> ex.map(x -> x, List.of(1), 0));
            assertThrows(IllegalArgumentException.class, () -> ex.map(x -> x, List.of(1), -3));
            assertThrows(NullPointerException.class, () -> ex.map(x -> x, null));
            assertThrows(NullPointerException.class, () -> ex.map(null, List.of(1)));
            ex.shutdown();
            assertThrows(RejectedExecutionException.class, () -> ex.map(x -> x, List.of(1)));
        } finally {
            ex.close();
        }
    }

    // ---------------------------------------------------------------- invokeAny

    @Test
    void invokeAny_of_tasks_that_all_fail_throws_ExecutionException_with_one_of_their_exceptions() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            List<SerializableCallable<Integer>> failing = List.of(() -> {
                throw new IllegalStateException("first");
            }, () -> {
                throw new IllegalStateException("second");
            }, () -> {
                throw new IllegalStateException("third");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> ex.invokeAny(failing));
            IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(List.of("first", "second", "third").contains(cause.getMessage()), cause.getMessage());
        }
    }

    @Test
    void invokeAny_refuses_an_empty_collection_and_null_tasks() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(List.<Callable<Integer>>of()));
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(List.<Callable<Integer>>of(), 1, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> ex.invokeAny(null));
            List<Callable<Integer>> withNull = Arrays.asList((SerializableCallable<Integer>) () -> sleepThen(1, 600_000), null);
            assertThrows(NullPointerException.class, () -> ex.invokeAny(withNull));
            assertThrows(NullPointerException.class, () -> ex.invokeAll(withNull));
            // NOTE: the task submitted before the null was cancelled: the one worker serves at once
            assertEquals(3, ex.submit(() -> 3).get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void timed_invokeAny_that_times_out_cancels_the_running_and_the_queued_tasks() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            List<SerializableCallable<Integer>> slow = List.of(() -> sleepThen(1, 600_000), () -> sleepThen(2, 600_000));
            assertThrows(TimeoutException.class, () -> ex.invokeAny(slow, 300, TimeUnit.MILLISECONDS));
            assertEquals(3, ex.submit(() -> 3).get(HANG.toSeconds(), TimeUnit.SECONDS), "nothing of invokeAny is left running");
            assertThrows(TimeoutException.class, () -> ex.invokeAny(slow, 0, TimeUnit.NANOSECONDS));
            assertEquals(4, ex.submit(() -> 4).get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void invokeAny_returns_the_first_success_and_its_losers_leave_the_workers_serving() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            assertEquals(1, ex.invokeAny(List.<SerializableCallable<Integer>>of(() -> 1, () -> sleepThen(2, 600_000), () -> sleepThen(3, 600_000))));
            CompletableFuture<Integer> a = ex.submit(() -> sleepThen(4, 50));
            CompletableFuture<Integer> b = ex.submit(() -> sleepThen(5, 50));
            assertEquals(4, a.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals(5, b.get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void shutdown_without_wait_with_cancelFutures_cancels_the_queued_and_lets_the_running_finish() throws Exception {
        try (Event release = new Event()) {
            ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            waitUntilRunning(ex, 1);
            CompletableFuture<Integer> queued = ex.submit(() -> 2);
            CompletableFuture<Integer> queued2 = ex.submit(() -> 3);
            ex.shutdown(false, true);
            assertTrue(queued.isCancelled());
            assertTrue(queued2.isCancelled());
            assertFalse(running.isDone());
            assertFalse(ex.isTerminated());
            assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 4));
            release.set();
            assertEquals(1, running.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void shutdownNow_returns_the_very_runnables_and_a_FutureTask_for_each_never_started_callable() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            CompletableFuture<Integer> running = ex.submit(() -> sleepThen(1, 600_000));
            waitUntilRunning(ex, 1);
            Runnable runnable = (SerializableRunnable) () -> { };
            ex.execute(runnable);
            CompletableFuture<Integer> callable = ex.submit(() -> 2);
            List<Runnable> never = ex.shutdownNow();
            assertEquals(2, never.size(), never.toString());
            assertTrue(never.contains(runnable), never.toString());
            assertTrue(never.stream().anyMatch(r -> r instanceof FutureTask<?>), never.toString());
            assertTrue(callable.isCancelled());
            assertTrue(running.isCancelled());
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals(List.of(), ex.shutdownNow(), "nothing is left the second time");
        } finally {
            ex.close();
        }
    }

    @Test
    void close_from_a_stage_of_a_future_returns_while_other_tasks_are_still_queued() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            CompletableFuture<Integer> first = ex.submit(() -> 1);
            CompletableFuture<Integer> later = ex.submit(() -> sleepThen(2, 200));
            CompletableFuture<Void> closing = first.thenRun(ex::close);
            closing.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(later.isDone(), "close waited for the queued task");
            assertEquals(2, later.get());
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
            ex.close();
        }
    }

    @Test
    void awaitTermination_from_several_threads_returns_true_in_each() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(2);
        try {
            ex.submit(() -> sleepThen(1, 300));
            ex.submit(() -> sleepThen(2, 300));
            List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiters.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, r -> Thread.ofPlatform().start(r)));
            }
            Thread.sleep(50);
            ex.shutdown();
            for (CompletableFuture<Boolean> w : waiters) {
                assertTrue(w.get(HANG.toSeconds() * 2, TimeUnit.SECONDS));
            }
            assertTrue(ex.isTerminated());
        } finally {
            ex.shutdownNow();
            ex.close();
        }
    }

    // ---------------------------------------------------------------- futures

    @Test
    void a_queued_task_whose_future_its_user_completed_never_runs_as_with_supplyAsync() throws Exception {
        Path marker = Files.createTempFile("mp4j-completed-by-user", ".txt");
        Files.delete(marker);
        String file = marker.toString();
        try (Event release = new Event(); ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            waitUntilRunning(ex, 1);
            CompletableFuture<Void> queued = ex.submit(() -> ProcessPoolExecutorTest.write(file, "ran"));
            assertTrue(queued.complete(null), "the user completes the queued task's future");
            release.set();
            assertEquals(1, running.get(HANG.toSeconds(), TimeUnit.SECONDS));
            ex.shutdown();
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
            assertFalse(Files.exists(marker), "the task ran although its future was completed before any worker started it");
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @Test
    void a_queued_task_whose_future_its_user_completed_with_completeAsync_never_runs() throws Exception {
        Path marker = Files.createTempFile("mp4j-completed-async-by-user", ".txt");
        Files.delete(marker);
        String file = marker.toString();
        try (Event release = new Event(); ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            waitUntilRunning(ex, 1);
            try {
                CompletableFuture<Void> queued = ex.submit(() -> ProcessPoolExecutorTest.write(file, "ran"));
                // NOTE: CompletableFuture.completeAsync completes the future without calling complete()
                assertSame(queued, queued.completeAsync(() -> null, Runnable::run));
                assertTrue(queued.isDone());
                assertEquals(0, ex.stats().tasksPending(), "the task left the queue: " + ex.stats());
            } finally {
                release.set();
            }
            assertEquals(1, running.get(HANG.toSeconds(), TimeUnit.SECONDS));
            ex.shutdown();
            assertTrue(ex.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
            assertFalse(Files.exists(marker), "the task ran although its future was completed before any worker started it");
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @Test
    void orTimeout_of_a_queued_task_withdraws_it_and_get_throws_the_TimeoutException() throws Exception {
        try (Event release = new Event(); ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> running = ex.submit(() -> release.await(HANG) ? 1 : 0);
            waitUntilRunning(ex, 1);
            try {
                CompletableFuture<Integer> queued = ex.submit(() -> 2).orTimeout(100, TimeUnit.MILLISECONDS);
                ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(HANG.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertEquals(0, ex.stats().tasksPending(), "the timed-out task left the queue: " + ex.stats());
            } finally {
                release.set();
            }
            assertEquals(1, running.get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void cancel_true_of_a_running_task_then_get_throws_CancellationException_and_dependents_see_it() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> running = ex.submit(() -> sleepThen(1, 600_000));
            CompletableFuture<String> dependent = running.handle((v, err) -> err == null ? "value" : err.getClass().getSimpleName());
            waitUntilRunning(ex, 1);
            assertTrue(running.cancel(true));
            assertThrows(CancellationException.class, () -> running.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(running.isCancelled());
            assertEquals("CancellationException", dependent.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(running.cancel(true), "CompletableFuture.cancel: true if this task is now cancelled");
            assertTrue(running.isCancelled());
            assertEquals(2, ex.submit(() -> 2).get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    // ---------------------------------------------------------------- broken

    @Test
    void an_initializer_failing_in_one_worker_breaks_pending_futures_later_submits_maps_and_invokes() throws Exception {
        Path marker = Files.createTempFile("mp4j-one-bad-init", ".txt");
        Files.delete(marker);
        String file = marker.toString();
        // NOTE: the first worker to initialize makes the file; the second finds it and fails
        try (ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(2)
                .initializer(() -> {
                    try {
                        Files.createFile(Path.of(file));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("second initializer fails: " + e);
                    }
                }).build()) {
            List<CompletableFuture<Integer>> pending = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pending.add(ex.submit(() -> sleepThen(1, 600_000)));
            }
            for (CompletableFuture<Integer> f : pending) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(HANG.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            }
            assertThrows(BrokenProcessPoolException.class, () -> ex.submit(() -> 2));
            assertThrows(BrokenProcessPoolException.class, () -> ex.map(x -> x, List.of(1)));
            assertThrows(BrokenProcessPoolException.class, () -> ex.invokeAny(List.<SerializableCallable<Integer>>of(() -> 1)));
            assertThrows(BrokenProcessPoolException.class, () -> ex.invokeAll(List.<SerializableCallable<Integer>>of(() -> 1)));
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @Test
    void a_task_cannot_make_an_executor_of_its_own_its_worker_being_a_daemon() throws Exception {
        // NOTE: unlike CPython 3.11, whose executor workers are not daemonic and may nest an executor; here every
        // pool worker is a daemon (README, "Defaults that could surprise"), so that the JVM's exit ends them
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            String answer = ex.submit(() -> {
                try (ProcessPoolExecutor inner = new ProcessPoolExecutor(1)) {
                    return "nested: " + inner.submit(() -> 5).get();
                } catch (IllegalStateException e) {
                    return "refused: " + e.getMessage();
                }
            }).get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(answer.startsWith("refused: "), answer);
        }
    }
}
