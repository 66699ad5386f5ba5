package org.multiprocessing4j.internal.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.internal.futex.Membarrier;

/**
 * The lock of a pipe end's direction: the first thread enters without atomics until another thread takes
 * the lock; nobody is ever inside together with anybody else, across the revocation included.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // NOTE: turns a hang into a failure; the tests take a few seconds
class ThreadBiasedMutexTest {
    private static final int ROUNDS = 50_000;

    @Test
    void the_bias_thread_and_threads_that_come_later_are_never_inside_together() throws Exception {
        for (int trial = 0; trial < 10; trial++) {
            ThreadBiasedMutex mutex = new ThreadBiasedMutex();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            int[] plainCounter = new int[1];
            long[] biasRounds = new long[1];
            CountDownLatch biasTaken = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean othersDone = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable once = () -> {
                boolean how = mutex.enter();
                try {
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    plainCounter[0]++;
                    inside.decrementAndGet();
                } finally {
                    mutex.exit(how);
                }
            };
            // NOTE: the first to enter is the bias thread; it goes on until the others are done, so that their
            // revocation finds it running (inside or about to enter)
            Thread bias = Thread.ofPlatform().start(() -> {
                while (!othersDone.get()) {
                    once.run();
                    biasRounds[0]++;
                    biasTaken.countDown();
                }
            });
            biasTaken.await();
            List<Thread> others = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                others.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        once.run();
                    }
                }));
            }
            for (Thread t : others) {
                t.join();
            }
            othersDone.set(true);
            bias.join();
            assertEquals(0, overlaps.get(), "two threads inside at once (trial " + trial + ")");
            assertEquals(3L * ROUNDS + biasRounds[0], plainCounter[0], "increments lost (trial " + trial + ")");
        }
    }

    @Test
    void a_thread_that_comes_while_the_bias_thread_is_inside_waits_until_it_leaves() throws Exception {
        ThreadBiasedMutex mutex = new ThreadBiasedMutex();
        CountDownLatch leave = new CountDownLatch(1);
        Thread bias = holdInside(mutex, leave);
        CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> {
            boolean how = mutex.enter();
            mutex.exit(how);
            return how;
        }, runnable -> Thread.ofPlatform().start(runnable));
        Thread.sleep(300);
        assertFalse(other.isDone(), "entered while the bias thread was inside");
        leave.countDown();
        assertFalse(other.get(60, TimeUnit.SECONDS), "the second thread took the lock, not the bias");
        bias.join();
    }

    @Test
    void the_bias_thread_reenters_on_both_paths_and_a_nested_entry_never_waits_for_a_revoker() throws Exception {
        ThreadBiasedMutex mutex = new ThreadBiasedMutex();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch revokerWaiting = new CountDownLatch(1);
        CountDownLatch revoked = new CountDownLatch(1);
        CompletableFuture<Void> bias = CompletableFuture.runAsync(() -> {
            boolean outer = mutex.enter();
            try {
                assertEquals(Membarrier.REGISTERED, outer == ThreadBiasedMutex.BIASED, "the first thread enters on the bias");
                entered.countDown();
                revokerWaiting.await();
                Thread.sleep(200); // NOTE: the revoker is inside revoke(), waiting for this thread to leave
                boolean nested = mutex.enter(); // must not wait for the revoker, which waits for us
                mutex.exit(nested);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                mutex.exit(outer);
            }
            try {
                revoked.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            boolean outer2 = mutex.enter(); // after the revocation: the lock, reentrantly
            boolean nested2 = mutex.enter();
            assertFalse(outer2 || nested2, "the bias is gone for good");
            mutex.exit(nested2);
            mutex.exit(outer2);
        }, runnable -> Thread.ofPlatform().start(runnable));
        Thread revoker = Thread.ofPlatform().start(() -> {
            try {
                entered.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            revokerWaiting.countDown();
            boolean how = mutex.enter();
            mutex.exit(how);
            revoked.countDown();
        });
        bias.get(60, TimeUnit.SECONDS);
        revoker.join();
    }

    @Test
    void an_interrupted_thread_waiting_for_the_bias_thread_parks_and_keeps_its_interrupt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Membarrier.REGISTERED, "no bias here: nothing to revoke");
        ThreadBiasedMutex mutex = new ThreadBiasedMutex();
        CountDownLatch leave = new CountDownLatch(1);
        Thread bias = holdInside(mutex, leave);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] revokerCpuNanos = new long[1];
        CompletableFuture<Boolean> keptInterrupt = CompletableFuture.supplyAsync(() -> {
            Thread.currentThread().interrupt();
            long before = cpu.getCurrentThreadCpuTime();
            boolean how = mutex.enter(); // waits about 1 s for the bias thread
            revokerCpuNanos[0] = cpu.getCurrentThreadCpuTime() - before;
            mutex.exit(how);
            return Thread.interrupted();
        }, runnable -> Thread.ofPlatform().start(runnable));
        Thread.sleep(1_000);
        leave.countDown();
        assertTrue(keptInterrupt.get(60, TimeUnit.SECONDS), "the interrupt status was lost");
        // NOTE: a spinning wait burns the whole second; a parking one a few ms. The bound is wide on purpose.
        assertTrue(revokerCpuNanos[0] < 500_000_000L, "the waiting revoker burned " + revokerCpuNanos[0] / 1_000_000
                + " ms of CPU in about 1 s: it spun instead of parking");
        bias.join();
    }

    @Test
    void bias_is_offered_only_where_revocations_can_reach_the_bias_thread() {
        ThreadBiasedMutex mutex = new ThreadBiasedMutex();
        boolean how = mutex.enter();
        mutex.exit(how);
        assertEquals(Membarrier.REGISTERED, how == ThreadBiasedMutex.BIASED);
    }

    /** Starts the first thread to enter {@code mutex} (its bias thread) and returns once it is inside; it leaves on {@code leave}. */
    private static Thread holdInside(ThreadBiasedMutex mutex, CountDownLatch leave) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        Thread bias = Thread.ofPlatform().start(() -> {
            boolean how = mutex.enter();
            try {
                entered.countDown();
                leave.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                mutex.exit(how);
            }
        });
        entered.await();
        return bias;
    }
}
