package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.QueueFullException;

/** Edge cases of the cluster back end found by probing: queue capacity, interrupts, bounded semaphores, drainTo. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterEdgeCaseTest {
    private static MemberCluster cluster;
    private static Context context;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 2);
        context = cluster.context(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anUnboundedQueueHoldingItemsHasMaxsizeZero() throws Exception {
        Queue<Integer> q = context.queue();
        assertEquals(0, q.maxsize(), "empty");
        q.put(1);
        assertEquals(0, q.maxsize(), "an unbounded queue holding one item");
        Queue<Integer> b = context.queue(3);
        b.put(1);
        assertEquals(3, b.maxsize());
    }

    @Test
    void aTaskThatLeavesItsInterruptStatusSetDoesNotPassItToTheNextTask() throws Exception {
        try (Pool pool = Pool.builder().processes(1).context(context).build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                assertEquals(1, pool.apply(() -> {
                    Thread.currentThread().interrupt(); // e.g. a task restoring an interrupt it caught
                    return 1;
                }));
                assertEquals(2, pool.apply(() -> {
                    Thread.sleep(10); // threw at once while the interrupt status leaked into this task
                    return 2;
                }));
            });
        }
    }

    @Test
    void aJoinableQueuesFailedTimedPutIsNotCounted() throws Exception {
        JoinableQueue<String> jq = context.joinableQueue(1);
        jq.put("a");
        assertThrows(QueueFullException.class, () -> jq.put("b", Duration.ofMillis(100)));
        assertThrows(QueueFullException.class, () -> jq.putNowait("c"));
        assertEquals("a", jq.get());
        jq.taskDone();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> jq.join());
    }

    @Test
    void anEventsTimedWaitTimesOutUnsetAndReturnsAtOnceSet() throws Exception {
        Event e = context.event();
        assertFalse(e.await(Duration.ofMillis(50)));
        e.set();
        assertTrue(e.await(Duration.ZERO));
        assertTrue(e.isSet());
    }

    @Test
    void aBoundedSemaphoreNeverHoldsMoreThanItsBoundEvenWhenAnAcquireIsInterrupted() throws Exception {
        int over = 0;
        int interruptedAcquires = 0;
        for (int i = 0; i < 60 && over == 0; i++) {
            org.multiprocessing4j.BoundedSemaphore gate = context.boundedSemaphore(1);
            assertTrue(gate.tryAcquire());
            java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    gate.acquire();
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            Thread.sleep(150); // the waiter polls in 100 ms slices
            waiter.interrupt(); // the waiter's poll under way goes on: it gets the permit released next, then gives it back
            gate.release();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    gate.release();
                } catch (IllegalStateException atBound) {
                    // refused: fine
                }
            });
            other.join();
            waiter.join();
            if (interrupted.get()) {
                interruptedAcquires++;
            }
            int value = gate.getValue();
            if (value > 1) {
                over = value;
            }
        }
        assertEquals(0, over, "a bounded semaphore of 1 held " + over + " permits (" + interruptedAcquires + " acquires interrupted)");
    }

    static final class Opaque {
        final int x;

        Opaque(int x) {
            this.x = x;
        }
    }

    static final class BadException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Object ignored = null;
        final Opaque field = new Opaque(1);

        BadException() {
            super("bad");
        }
    }

    static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void unserializableThingsAndErrorsFailTheirTaskNotThePool() throws Exception {
        try (Pool pool = Pool.builder().processes(2).context(context).build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                Opaque o = new Opaque(3);
                IllegalArgumentException argument = assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> o.x));
                assertTrue(argument.getMessage().contains(Opaque.class.getName()), argument.getMessage());
                AsyncResult<Object> result = pool.applyAsync(() -> new Opaque(4));
                ExecutionException r = assertThrows(ExecutionException.class, () -> result.get(Duration.ofSeconds(60)));
                assertTrue(r.getCause() instanceof IllegalArgumentException && r.getCause().getMessage().contains("result"),
                        "an unserializable result fails its task naming it: " + r.getCause());
                AsyncResult<Object> exc = pool.applyAsync(() -> {
                    throw new BadException();
                });
                ExecutionException x = assertThrows(ExecutionException.class, () -> exc.get(Duration.ofSeconds(60)));
                // NOTE: it cannot be serialized, so it arrives as a RemoteException that names its class and message
                assertTrue(x.getCause() instanceof org.multiprocessing4j.RemoteException
                        && x.getCause().toString().contains(BadException.class.getName() + ": bad"),
                        "an unserializable task exception arrives described: " + x.getCause());
                AsyncResult<Object> so = pool.applyAsync(() -> recurse(0));
                ExecutionException y = assertThrows(ExecutionException.class, () -> so.get(Duration.ofSeconds(60)));
                assertTrue(y.getCause() instanceof StackOverflowError, "a stack overflow is its task's error: " + y.getCause());
                assertEquals(java.util.List.of(2, 3), pool.map(v -> v + 1, java.util.List.of(1, 2)));
            });
        }
    }

    @Test
    void drainToKeepsTheBlockingQueueContract() throws Exception {
        java.util.concurrent.BlockingQueue<Integer> q = cluster.workers.data().queue("probe-drain-" + System.nanoTime());
        try {
            q.put(1);
            q.put(2);
            java.util.List<Integer> sink = new java.util.ArrayList<>();
            assertEquals(0, q.drainTo(sink, 0), "maxElements 0 drains nothing");
            assertEquals(0, q.drainTo(sink, -1), "a negative maxElements drains nothing, as a local queue's view");
            assertEquals(2, q.size(), "items left in the queue");
            assertThrows(NullPointerException.class, () -> q.drainTo(null));
            assertEquals(2, q.size(), "a drain into a null collection must not take the items out of the queue");
        } finally {
            q.clear();
        }
    }
}
