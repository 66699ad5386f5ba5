package org.multiprocessing4j.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A {@link SharedBarrier} whose owner (the manager that made it) dies while an arrival waits behind another
 * pass's action, and another thread holds the barrier's internal mutex: the arrival's wait ends with
 * {@link ManagerUnavailableException} and leaves that hold alone. Before, the arrival's failed re-entry of the
 * mutex was followed by a release of the mutex it did not hold, which freed the other thread's hold.
 */
class BarrierMutexUnderOwnerDeathTest {
    private static final long HANG_SECONDS = 60;

    @Test
    void an_arrival_behind_the_action_whose_owner_died_leaves_another_threads_hold_of_the_mutex() throws Exception {
        MemorySegment memory = Arena.ofAuto().allocate(SharedBarrier.BYTES, 8); // NOTE: freed with the segment, closed or not
        SharedBarrier.initialize(memory, 0, 1);
        SharedBarrier barrier = new SharedBarrier(memory, 0);
        RobustLock mutex = new RobustLock(memory, 0); // NOTE: the barrier's mutex is its first 16 bytes
        java.lang.Process owner = new ProcessBuilder("sleep", "600").start();
        CountDownLatch inAction = new CountDownLatch(1);
        CountDownLatch endAction = new CountDownLatch(1);
        try {
            Futex.watchOwner(memory, ProcessStamp.of(owner.toHandle()), "barrier");
            CompletableFuture<Object> runner = inThread(() -> barrier.await(() -> {
                inAction.countDown();
                try {
                    endAction.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }, Waits.never(), new int[1]));
            assertTrue(inAction.await(HANG_SECONDS, TimeUnit.SECONDS), "the single party never ran the action");
            AtomicReference<Thread> arrivalThread = new AtomicReference<>();
            CompletableFuture<Object> arrival = inThread(() -> {
                arrivalThread.set(Thread.currentThread());
                return barrier.await(null, Waits.never(), new int[1]);
            });
            awaitAsleepBehindTheAction(arrivalThread);
            assertEquals(RobustLock.Acquired.ACQUIRED, mutex.lock(Waits.never(), false));
            owner.destroyForcibly().waitFor();
            Object outcome = arrival.get(HANG_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(ManagerUnavailableException.class, outcome, String.valueOf(outcome));
            assertTrue(mutex.isHeldByThisProcess(), "the failed arrival released the mutex another thread held");
            mutex.unlock();
            endAction.countDown();
            assertEquals(SharedBarrier.Outcome.PASSED, runner.get(HANG_SECONDS, TimeUnit.SECONDS));
        } finally {
            endAction.countDown();
            Futex.forgetOwner(memory);
            owner.destroyForcibly().waitFor();
        }
    }

    /** Runs {@code body} in a new daemon thread: completes with its result, or with what it threw as the value. */
    private static CompletableFuture<Object> inThread(Supplier<Object> body) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                outcome.complete(body.get());
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return outcome;
    }

    /** Waits until the thread stored in {@code holder} sleeps in the barrier's own futex wait. */
    private static void awaitAsleepBehindTheAction(AtomicReference<Thread> holder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        for (;;) {
            Thread t = holder.get();
            if (t != null) {
                StackTraceElement[] stack = t.getStackTrace();
                for (int i = 0; i + 1 < stack.length; i++) {
                    if (stack[i].getMethodName().equals("await") && stack[i].getClassName().endsWith(".Futex")
                            && stack[i + 1].getClassName().equals(SharedBarrier.class.getName())) {
                        return;
                    }
                }
            }
            assertTrue(System.nanoTime() < deadline, "the arrival never slept behind the action");
            Thread.sleep(10);
        }
    }
}
