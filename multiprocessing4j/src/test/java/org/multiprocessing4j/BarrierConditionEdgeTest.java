package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import org.junit.jupiter.api.Test;

/** Barrier and Condition edge cases found by probing: interrupted arrivals, undeclared checked exceptions, close under a waiter. */
class BarrierConditionEdgeTest extends ChildProcessTestBase {

    /**
     * The class doc: "One party that times out, is interrupted, or calls abort() breaks the barrier for all
     * ... (Python's rule, and CyclicBarrier's for interrupts)". CyclicBarrier breaks the barrier when a thread
     * arrives with its interrupt status set; here the arrival throws InterruptedException and leaves the
     * barrier whole, so the party already waiting in the child waits on (until its own timeout).
     */
    @Test
    void an_arrival_already_interrupted_breaks_the_barrier_for_a_party_waiting_in_a_child() throws Exception {
        try (Barrier barrier = new Barrier(2); Event broke = new Event()) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await(Duration.ofSeconds(20));
                    throw new AssertionError("passed a barrier that should break");
                } catch (BrokenBarrierException expected) {
                    broke.set();
                }
            }));
            waiter.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (barrier.nWaiting() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, barrier::await);
            try {
                assertTrue(barrier.isBroken(), "an interrupted arrival breaks the barrier (CyclicBarrier's rule, as documented)");
                assertTrue(broke.await(Duration.ofSeconds(5)), "the child's party got BrokenBarrierException promptly");
            } finally {
                barrier.abort();
                assertEquals(0, joined(waiter));
            }
        }
    }

    /** Throws {@code t} unchecked, as Kotlin, Scala or Lombok's @SneakyThrows code does with checked exceptions. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * The class doc: "If [the action] throws, that party's await throws it and the barrier is broken for the
     * others" (CPython: {@code except: self._break(); raise}). An action that throws a checked exception
     * without declaring it (Kotlin, Scala, @SneakyThrows) leaves the barrier in its action state with a live
     * runner: the other party waits for ever, its own timeout ignored (it is "outwaited by the action").
     */
    @Test
    void an_action_that_throws_a_checked_exception_breaks_the_barrier_for_a_party_waiting_in_a_child() throws Exception {
        try (Barrier barrier = new Barrier(2, () -> {
            throw sneaky(new java.io.IOException("action failed"));
        }, null); Event broke = new Event()) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await(Duration.ofSeconds(3));
                    throw new AssertionError("passed a barrier whose action failed");
                } catch (BrokenBarrierException expected) {
                    broke.set();
                }
            }));
            waiter.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (barrier.nWaiting() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Exception e = assertThrows(Exception.class, barrier::await);
            assertEquals(java.io.IOException.class, e.getClass());
            try {
                assertTrue(broke.await(Duration.ofSeconds(15)), "the child's party got BrokenBarrierException");
                assertTrue(barrier.isBroken());
            } finally {
                barrier.abort();
                assertEquals(0, joined(waiter));
            }
        }
    }

    /**
     * Condition's close(): "ends this process's use"; processes already using it keep working. A thread of
     * this process waiting on it when it is closed gets IllegalStateException, but its waiter slot stays
     * registered in shared memory under a live pid: the oldest "waiter", it takes the next signal of another
     * process, whose own waiter then sleeps through it (a lost wake-up).
     */
    @Test
    void a_waiter_closed_under_here_does_not_absorb_a_signal_meant_for_a_waiter_in_a_child() throws Exception {
        Condition condition = new Condition();
        try (Event mapped = new Event(); Event closed = new Event()) {
            Process child = new Process(checked(() -> {
                condition.acquire(); // maps the condition's lock and file before the creator closes them
                condition.release();
                condition.waiting();
                mapped.set();
                assertTrue(closed.await(HANG));
                boolean[] signalled = new boolean[1];
                Thread waiter = new Thread(() -> {
                    try {
                        condition.acquire();
                        try {
                            signalled[0] = condition.await(Duration.ofSeconds(10));
                        } finally {
                            condition.release();
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                waiter.start();
                long deadline = System.nanoTime() + 30_000_000_000L;
                // NOTE: the closed parent's waiter is withdrawn, so the count is 1 once this waiter has registered
                // (with the bug, the stale slot already counted 1 and took the signal)
                while (condition.waiting() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                condition.acquire();
                condition.signal();
                condition.release();
                waiter.join();
                if (!signalled[0]) {
                    throw new AssertionError("the child's only live waiter missed the signal (waiting count "
                            + condition.waiting() + ")");
                }
            }));
            child.start();
            assertTrue(mapped.await(HANG));
            java.util.concurrent.CompletableFuture<Throwable> parentWaiter = new java.util.concurrent.CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    condition.acquire();
                    condition.await();
                    parentWaiter.complete(null);
                } catch (Throwable e) {
                    parentWaiter.complete(e);
                }
            });
            t.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (condition.waiting() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(300);
            condition.close();
            Throwable e = parentWaiter.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(IllegalStateException.class, e == null ? null : e.getClass(), String.valueOf(e));
            t.join();
            closed.set();
            assertEquals(0, joined(child), "the child's waiter got the child's signal");
        }
    }
}
