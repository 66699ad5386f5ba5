package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.ResultIterator;
import org.multiprocessing4j.WorkerDiedException;

/**
 * Pool and ProcessPoolExecutor on a cluster of 3 WorkerMain member JVMs on loopback (started once for the
 * class): the same calls as locally, the workers' pids being the members'. The last test SIGKILLs a
 * member mid-map.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HazelcastPoolTest {
    private static final Duration HANG = MemberCluster.HANG;
    private static MemberCluster cluster;
    private static Context context;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(3, 1);
        context = cluster.context(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void mapRunsOnTheMembers() throws Exception {
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            List<Integer> squares = pool.map(x -> x * x, range(200), 10);
            assertEquals(range(200).stream().map(x -> x * x).toList(), squares);
            List<Long> pids = pool.map(x -> ProcessHandle.current().pid(), range(30), 1);
            Set<Long> members = new HashSet<>(cluster.pids());
            assertTrue(members.containsAll(pids), "tasks ran outside the members: " + pids + " vs " + members);
            assertFalse(pids.contains(ProcessHandle.current().pid()));
        }
    }

    @Test
    @Order(2)
    void imapIsLazyAndOrdered() throws Exception {
        AtomicInteger read = new AtomicInteger();
        Iterator<Integer> input = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return read.get() < 10_000;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            ResultIterator<Integer> results = pool.imap(x -> x + 1, input, 1);
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1, results.next(HANG));
            }
            assertTrue(read.get() < 10_000, "imap read all of its input before its first results: " + read.get());
            pool.terminate();
        }
    }

    @Test
    @Order(3)
    void applyAsyncAndExceptions() throws Exception {
        try (Pool pool = Pool.builder().processes(2).context(context).build()) {
            AsyncResult<Integer> answer = pool.applyAsync(() -> 6 * 7);
            assertEquals(42, answer.get(HANG));
            AsyncResult<Object> failing = pool.applyAsync(() -> {
                throw new IllegalStateException("raised on a member");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(HANG));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("raised on a member", e.getCause().getMessage());
        }
    }

    @Test
    @Order(4)
    void executorSubmitAndInitializer() throws Exception {
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(2).context(context)
                .initializer(() -> System.setProperty("mp4j.test.init", "done")).build()) {
            CompletableFuture<String> f = executor.submit(() -> System.getProperty("mp4j.test.init") + " in " + ProcessHandle.current().pid());
            String answer = f.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(answer.startsWith("done in "), answer);
            long pid = Long.parseLong(answer.substring("done in ".length()));
            assertTrue(cluster.pids().contains(pid), "ran in " + pid + ", not a member " + cluster.pids());
        }
    }

    @Test
    @Order(5)
    void aMemberKilledMidMapFailsOnlyItsTaskAndThePoolGoesOn() throws Exception {
        org.multiprocessing4j.Process victim = cluster.members.get(2);
        long victimPid = victim.pid().orElseThrow();
        try (Pool pool = Pool.builder().processes(3).context(context).build()) {
            // Each of the 3 workers is on its own member; tasks last long enough to be running at the kill.
            List<AsyncResult<Long>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(pool.applyAsync(() -> {
                    Thread.sleep(1500);
                    return ProcessHandle.current().pid();
                }));
            }
            long deadline = System.nanoTime() + HANG.toNanos();
            while (pool.stats().workers().stream().filter(w -> w.busy()).count() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(pool.stats().workers().stream().anyMatch(w -> w.pid() == victimPid && w.busy()),
                    "no busy worker on the member to kill: " + pool.stats());
            victim.kill();
            int ok = 0;
            int died = 0;
            for (AsyncResult<Long> r : results) {
                try {
                    assertTrue(cluster.pids().contains(r.get(HANG)));
                    ok++;
                } catch (ExecutionException e) {
                    WorkerDiedException death = assertInstanceOf(WorkerDiedException.class, e.getCause());
                    assertEquals(victimPid, death.pid());
                    died++;
                }
            }
            assertEquals(12, ok + died);
            assertTrue(died >= 1 && died <= 2, "the killed member ran one task at a time; failed: " + died);
            // The pool goes on with the members left.
            assertEquals(List.of(2, 3, 4), pool.map(x -> x + 1, List.of(1, 2, 3), 1));
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
