package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.concurrent.CancellationException;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.Queue;

/**
 * A pool's initializer that runs longer than the context's {@code startTimeout}, on a cluster of one
 * WorkerMain member: locally the start timeout bounds only a worker JVM's start, not its initializer, and
 * so on the cluster (the worker tells the pool it started before it runs the initializer).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterSlowInitializerTest {
    /**
     * The start timeout of the pools here (room for a worker's start on a loaded CI machine); the initializer
     * takes longer by {@link #BEYOND_START}.
     */
    private static final Duration START = Duration.ofSeconds(8);
    private static final Duration BEYOND_START = Duration.ofSeconds(3);
    private static MemberCluster cluster;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 1);
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void initSlowly() {
        try {
            Thread.sleep(START.plus(BEYOND_START).toMillis());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        System.setProperty("mp4j.test.slow-init", "done");
    }

    @Test
    void anInitializerLongerThanTheStartTimeoutDoesNotBreakThePool() throws Exception {
        Context context = cluster.context(START);
        try (Pool pool = Pool.builder().processes(1).initializer(ClusterSlowInitializerTest::initSlowly).context(context).build()) {
            assertEquals(List.of("done", "done"), pool.map(x -> System.getProperty("mp4j.test.slow-init"), List.of(1, 2), 1));
        }
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1).initializer(ClusterSlowInitializerTest::initSlowly)
                .context(context).build()) {
            assertEquals("done", executor.submit(() -> System.getProperty("mp4j.test.slow-init")).get(MemberCluster.HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void terminatingAPoolWhoseWorkerRunsItsInitializerDoesNotWaitForTheInitializer() throws Exception {
        // NOTE: a start timeout far above the hang guard: before, terminate's join waited for the initializer's
        // end (or the start timeout), the launch being blocked until the worker's READY
        Context context = cluster.context(Duration.ofMinutes(10));
        Queue<String> started = context.queue();
        Event release = context.event();
        Pool pool = Pool.builder().processes(1).initializer(() -> {
            try {
                started.put("initializing");
                release.await(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).context(context).build();
        try {
            AsyncResult<Integer> result = pool.applyAsync(() -> 1);
            assertEquals("initializing", started.get(MemberCluster.HANG));
            assertTimeoutPreemptively(MemberCluster.HANG, () -> {
                pool.terminate();
                pool.join();
            }, "terminate and join waited for a worker's initializer");
            assertThrows(CancellationException.class, () -> result.get(MemberCluster.HANG));
        } finally {
            release.set(); // the given-up worker's initializer returns, and its thread ends
        }
    }
}
