package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ShmNames;

/** Pool faults with real worker JVMs: deaths, exits, out of memory, timeouts, terminate, a killed parent. */
class PoolFaultTest extends ChildProcessTestBase {

    static long pid() {
        return ProcessHandle.current().pid();
    }

    static int sleepThen(int value, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return value;
    }

    /** Waits until the pool shows {@code n} workers holding tasks; returns their pids. */
    private static List<Long> busyWorkers(Pool pool, int n) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (System.nanoTime() < deadline) {
            List<Long> busy = pool.stats().workers().stream().filter(PoolStats.WorkerStats::busy).map(PoolStats.WorkerStats::pid).toList();
            if (busy.size() >= n) {
                return busy;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("workers never got busy: " + pool.stats());
    }

    @Test
    void a_worker_killed_with_SIGKILL_fails_only_its_task_and_is_replaced() throws Exception {
        try (Pool pool = new Pool(2)) {
            AsyncResult<Integer> doomed = pool.applyAsync(() -> sleepThen(1, 600_000));
            long victim = busyWorkers(pool, 1).getFirst();
            AsyncResult<List<Integer>> others = pool.mapAsync(x -> x * 2, IntStream.range(0, 50).boxed().toList(), 1);
            long killedAt = System.nanoTime();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> doomed.get(HANG));
            System.out.printf("a SIGKILLed worker's task failed %.1f ms after the kill%n", (System.nanoTime() - killedAt) / 1e6);
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(victim, died.pid());
            assertEquals(-9, died.exitCode());
            assertTrue(died.getMessage().contains(Long.toString(victim)) && died.getMessage().contains("-9"), died.getMessage());
            assertEquals(IntStream.range(0, 50).map(x -> x * 2).boxed().toList(), others.get(HANG.toSeconds(), TimeUnit.SECONDS));
            long after = pool.apply(PoolFaultTest::pid);
            assertNotEquals(victim, after);
            PoolStats stats = pool.stats();
            assertEquals(1, stats.workerDeaths(), stats.toString());
            assertEquals(1, stats.workerRestarts(), stats.toString());
        }
    }

    @Test
    void tasks_sent_ahead_to_the_first_worker_up_are_taken_back_by_the_next_one() throws Exception {
        Pool pool = new Pool(2);
        try {
            // Submitted before the second worker is up: both go to the first (sent ahead); the second must take one.
            pool.applyAsync(() -> sleepThen(1, 600_000));
            pool.applyAsync(() -> sleepThen(2, 600_000));
            List<Long> busy = busyWorkers(pool, 2);
            assertEquals(2, busy.stream().distinct().count(), busy.toString());
        } finally {
            pool.terminate();
        }
    }

    @Test
    void timeouts_never_break_the_pool_however_many_workers_they_kill() throws Exception {
        try (Pool pool = Pool.builder().processes(2).taskTimeout(Duration.ofSeconds(2)).build()) {
            pool.apply(() -> 0);
            List<AsyncResult<Integer>> runaways = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runaways.add(pool.applyAsync(() -> sleepThen(1, 600_000)));
            }
            for (AsyncResult<Integer> r : runaways) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(HANG));
                assertInstanceOf(TaskTimeoutException.class, e.getCause());
            }
            assertEquals(7, pool.apply(() -> 7), "four killed workers later the pool still serves");
        }
    }

    @Test
    void an_imap_whose_input_was_all_read_survives_close() throws Exception {
        Pool pool = new Pool(2);
        ResultIterator<Integer> results = pool.imap(x -> x * 10, List.of(1, 2, 3, 4), 1);
        long deadline = System.nanoTime() + HANG.toNanos();
        while (pool.stats().tasksSubmitted() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the input read to its last item (the look-ahead is 4 chunks)
        }
        pool.close();
        List<Integer> got = new ArrayList<>();
        results.forEachRemaining(got::add);
        assertEquals(List.of(10, 20, 30, 40), got);
    }

    @Test
    void a_task_calling_System_exit_fails_with_its_exit_code_and_the_pool_keeps_serving() throws Exception {
        try (Pool pool = new Pool(2)) {
            WorkerDiedException e = assertThrows(WorkerDiedException.class, () -> pool.apply(() -> {
                System.exit(7);
                return 0;
            }));
            assertEquals(7, e.exitCode());
            assertEquals(List.of(1, 4, 9), pool.map(x -> x * x, List.of(1, 2, 3)));
        }
    }

    @Test
    void results_of_quick_tasks_before_a_task_that_calls_System_exit_are_not_lost() throws Exception {
        try (Pool pool = new Pool(1)) {
            pool.apply(() -> 0); // the worker is up, so the next tasks reach it together
            List<AsyncResult<Integer>> quick = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                quick.add(pool.applyAsync(() -> n));
            }
            AsyncResult<Integer> exits = pool.applyAsync(() -> {
                System.exit(5);
                return -1;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> exits.get(HANG));
            assertEquals(5, assertInstanceOf(WorkerDiedException.class, e.getCause()).exitCode());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, quick.get(i).get(HANG), "the answer of a finished task survives the worker's exit");
            }
        }
    }

    @Test
    void a_task_that_runs_out_of_heap_fails_with_WorkerDiedException_and_only_that_task() throws Exception {
        try (Context small = Context.builder().jvmOptions("-Xmx48m").build();
             Pool pool = Pool.builder().processes(2).context(small).build()) {
            AsyncResult<Integer> hog = pool.applyAsync(() -> {
                List<long[]> hoard = new ArrayList<>();
                while (true) {
                    hoard.add(new long[1 << 20]);
                }
            });
            AsyncResult<Integer> fine = pool.applyAsync(() -> sleepThen(5, 200));
            ExecutionException e = assertThrows(ExecutionException.class, () -> hog.get(HANG));
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(3, died.exitCode(), died.getMessage());
            assertTrue(died.getMessage().contains("out of memory"), died.getMessage());
            assertEquals(5, fine.get(HANG));
            assertEquals(6, pool.apply(() -> 6));
        }
    }

    @Test
    void a_task_past_the_timeout_has_its_worker_killed_and_fails_with_TaskTimeoutException() throws Exception {
        // The timeout runs from dispatch, so it covers the worker's first decode of a task class: generous.
        try (Pool pool = Pool.builder().processes(1).taskTimeout(Duration.ofSeconds(5)).build()) {
            long first = pool.apply(PoolFaultTest::pid);
            TaskTimeoutException e = assertThrows(TaskTimeoutException.class, () -> pool.apply(() -> sleepThen(1, 600_000)));
            assertEquals(Duration.ofSeconds(5), e.timeout());
            assertTrue(ProcessHandle.of(first).map(h -> h.onExit().orTimeout(HANG.toSeconds(), TimeUnit.SECONDS).join()).isPresent()
                    || ProcessHandle.of(first).isEmpty(), "the timed-out worker is killed");
            assertEquals(2, pool.apply(() -> 2));
            assertNotEquals(first, pool.apply(PoolFaultTest::pid));
        }
    }

    @Test
    void terminate_during_running_tasks_returns_promptly_cancels_results_and_leaves_no_process() throws Exception {
        Pool pool = new Pool(2);
        List<AsyncResult<Integer>> running = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            running.add(pool.applyAsync(() -> sleepThen(n, 600_000)));
        }
        List<Long> pids = busyWorkers(pool, 2);
        long t0 = System.nanoTime();
        pool.terminate();
        System.out.printf("terminate() with 2 running and 4 queued tasks returned in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        for (AsyncResult<Integer> r : running) {
            assertTrue(r.ready());
            assertThrows(CancellationException.class, r::get);
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " is gone");
        }
        assertThrows(IllegalStateException.class, () -> pool.apply(() -> 1));
        pool.join();
    }

    @Test
    void a_failing_initializer_breaks_the_pool_for_pending_and_later_tasks() throws Exception {
        try (Pool pool = Pool.builder().processes(2).initializer(() -> {
            throw new IllegalStateException("no database");
        }).build()) {
            AsyncResult<Integer> pending = pool.applyAsync(() -> 1);
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(HANG));
            BrokenProcessPoolException broken = assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertInstanceOf(IllegalStateException.class, broken.getCause());
            assertEquals("no database", broken.getCause().getMessage());
            assertThrows(BrokenProcessPoolException.class, () -> pool.apply(() -> 2));
        }
    }

    @Test
    void workers_that_keep_dying_in_the_initializer_break_the_pool_instead_of_restarting_forever() throws Exception {
        try (Pool pool = Pool.builder().processes(1).initializer(() -> Runtime.getRuntime().halt(4)).build()) {
            AsyncResult<Integer> pending = pool.applyAsync(() -> 1);
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(HANG));
            BrokenProcessPoolException broken = assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertTrue(broken.getMessage().contains("died before running a task"), broken.getMessage());
            assertTrue(pool.stats().workerDeaths() >= 3, pool.stats().toString());
        }
    }

    @Test
    void an_initializer_runs_once_in_each_worker_before_its_tasks() throws Exception {
        try (Pool pool = Pool.builder().processes(2).initializer(() -> System.setProperty("pool.initialized", "yes")).build()) {
            assertEquals(List.of("yes", "yes", "yes", "yes"),
                    pool.map(x -> System.getProperty("pool.initialized", "no"), List.of(1, 2, 3, 4), 1));
        }
    }

    @Test
    void maxTasksPerChild_replaces_workers_without_stranding_a_task() throws Exception {
        try (Pool pool = Pool.builder().processes(1).maxTasksPerChild(2).build()) {
            List<Long> pids = pool.map(x -> pid(), IntStream.range(0, 6).boxed().toList(), 1);
            Map<Long, Integer> perWorker = new HashMap<>();
            pids.forEach(p -> perWorker.merge(p, 1, Integer::sum));
            assertEquals(3, perWorker.size(), pids.toString());
            assertTrue(perWorker.values().stream().allMatch(n -> n == 2), perWorker.toString());
            assertEquals(0, pool.stats().workerDeaths(), "retirement is not death: " + pool.stats());
        }
    }

    @Test
    void a_worker_dying_in_a_map_fails_the_map_after_the_other_chunks_finish() throws Exception {
        try (Pool pool = new Pool(2)) {
            WorkerDiedException e = assertThrows(WorkerDiedException.class, () -> pool.map(x -> {
                if (x == 3) {
                    Runtime.getRuntime().halt(5);
                }
                return x;
            }, IntStream.range(0, 10).boxed().toList(), 1));
            assertEquals(5, e.exitCode());
            assertEquals(0, pool.stats().tasksRunning());
            assertEquals(List.of(0, 1), pool.map(x -> x, List.of(0, 1)));
        }
    }

    /** An exception whose field the serializer cannot write. */
    static final class Unshippable extends RuntimeException {
        @SuppressWarnings("unused")
        private final transient Object ok = new Object();
        @SuppressWarnings({"unused", "serial"})
        private final Object notSerializable = new Object();

        Unshippable(String message) {
            super(message);
        }
    }

    @Test
    void an_unserializable_exception_arrives_as_RemoteException_and_fails_only_its_task() throws Exception {
        try (Pool pool = new Pool(1)) {
            RemoteException e = assertThrows(RemoteException.class, () -> pool.apply(() -> {
                throw new Unshippable("cannot travel");
            }));
            assertTrue(e.getMessage().contains("cannot travel") && e.getMessage().contains("Unshippable"), e.getMessage());
            assertEquals(3, pool.apply(() -> 3));
        }
    }

    @Test
    void imap_over_an_endless_input_reads_a_bounded_number_of_items_ahead() throws Exception {
        EndlessInput endless = new EndlessInput();
        int chunksize = 10;
        try (Pool pool = new Pool(2)) {
            ResultIterator<Long> results = pool.imap(x -> x * x, endless, chunksize);
            long maxAhead = 0;
            for (long i = 0; i < 20_000; i++) {
                assertEquals(i * i, results.next(HANG));
                maxAhead = Math.max(maxAhead, endless.read() - i);
            }
            long bound = (8L * pool.processes() + 1) * chunksize;
            assertTrue(maxAhead <= bound, "read " + maxAhead + " items ahead of the consumer; bound " + bound);
            pool.terminate();
        }
    }

    @Test
    void an_exception_from_the_imap_input_surfaces_after_the_results_before_it() throws Exception {
        Iterator<Integer> failing = new BreakingInput(5, "input broke at 5");
        try (Pool pool = new Pool(2)) {
            ResultIterator<Integer> results = pool.imap(x -> x + 100, failing, 2);
            List<Integer> got = new ArrayList<>();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> results.forEachRemaining(got::add));
            assertEquals("input broke at 5", e.getMessage());
            assertEquals(List.of(100, 101, 102, 103, 104), got);
            assertFalse(results.hasNext());
        }
    }

    @Test
    void close_finishes_queued_tasks_and_join_needs_close_first() throws Exception {
        Pool pool = new Pool(2);
        assertThrows(IllegalStateException.class, pool::join);
        List<AsyncResult<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            queued.add(pool.applyAsync(() -> sleepThen(n, 50)));
        }
        pool.close();
        for (int i = 0; i < 8; i++) {
            assertEquals(i, queued.get(i).get(0, TimeUnit.SECONDS), "finished before close() returned");
        }
        assertThrows(IllegalStateException.class, () -> pool.applyAsync(() -> 1));
        pool.join();
        pool.close();
        assertTrue(pool.stats().workers().isEmpty(), pool.stats().toString());
    }

    @Test
    void workers_die_with_a_parent_killed_by_SIGKILL(@org.junit.jupiter.api.io.TempDir Path base) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dmultiprocessing4j.runtimeDir=" + base,
                "-cp", System.getProperty("java.class.path"), PoolParentMain.class.getName());
        java.lang.Process parent = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> workers = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream()));
            String line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    String l;
                    while ((l = out.readLine()) != null && !l.startsWith("pids ")) {
                        // skip
                    }
                    return l;
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(line != null, "the pool parent printed its workers");
            for (String p : line.substring(5).split(" ")) {
                workers.add(Long.parseLong(p));
            }
            assertTrue(workers.stream().allMatch(PoolFaultTest::alive));
            long t0 = System.nanoTime();
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            long deadline = t0 + HANG.toNanos();
            while (workers.stream().anyMatch(PoolFaultTest::alive) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(workers.stream().anyMatch(PoolFaultTest::alive), "workers outlived their SIGKILLed parent");
            System.out.printf("workers of a SIGKILLed pool parent ended %.1f ms after the kill%n", (System.nanoTime() - t0) / 1e6);
        } finally {
            workers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            ShmNames.sweepDeadTrees(Path.of("/dev/shm"));
        }
    }

    @Test
    void imap_over_an_endless_input_streams_many_times_a_small_heap_in_constant_memory(@org.junit.jupiter.api.io.TempDir Path base)
            throws Exception {
        long n = 20_000; // 20,000 results of 16 KiB: 320 MiB through a parent whose heap is 48 MiB
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx48m", "-Dmultiprocessing4j.runtimeDir=" + base,
                "-cp", System.getProperty("java.class.path"), ImapBoundedMain.class.getName(), Long.toString(n));
        java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(parent.getInputStream().readAllBytes());
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(parent.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the imap parent did not end");
            assertEquals(0, parent.exitValue(), "the imap parent failed:\n" + output);
            assertTrue(output.contains("streamed " + n + " " + n * ImapBoundedMain.RESULT_BYTES), output);
        } finally {
            parent.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            parent.toHandle().destroyForcibly();
            parent.waitFor(60, TimeUnit.SECONDS);
            ShmNames.sweepDeadTrees(Path.of("/dev/shm"));
        }
    }

    /** Running, not a zombie waiting for init to reap it (a dead worker of a dead parent is one briefly). */
    private static boolean alive(long pid) {
        return NoOrphansTest.alive(pid);
    }
}
