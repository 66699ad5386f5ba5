package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.futex.Futex;

/** Semaphore, BoundedSemaphore and Event: Python's semantics, across real child JVMs, and owner death. */
class SemaphoreEventTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void a_negative_semaphore_value_is_refused_naming_it() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-2));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void a_semaphore_may_be_released_above_its_initial_value() throws Exception {
        try (Semaphore s = new Semaphore(1)) {
            s.release();
            assertEquals(2, s.getValue());
            assertTrue(s.tryAcquire());
            assertTrue(s.acquire(SHORT));
            assertFalse(s.tryAcquire());
            assertFalse(s.acquire(SHORT));
            assertEquals(0, s.getValue());
        }
    }

    @Test
    void a_semaphore_at_the_largest_value_refuses_another_release_and_keeps_its_value() throws Exception {
        try (Semaphore s = new Semaphore(Integer.MAX_VALUE - 1)) {
            s.release();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
            assertTrue(e.getMessage().contains("released too many times"), e.getMessage());
            assertEquals(Integer.MAX_VALUE, s.getValue());
            assertTrue(s.tryAcquire());
            assertEquals(Integer.MAX_VALUE - 1, s.getValue(), "the refused release changed nothing");
        }
    }

    @Test
    void a_bounded_semaphore_released_above_its_initial_value_throws_IllegalStateException_and_changes_nothing() throws Exception {
        try (BoundedSemaphore s = new BoundedSemaphore(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
            assertTrue(e.getMessage().contains("released too many times"), e.getMessage());
            assertEquals(2, s.getValue());
            s.acquire();
            s.release();
            assertEquals(2, s.getValue());
        }
    }

    @Test
    void a_permit_released_by_a_child_wakes_a_waiter_here() throws Exception {
        try (Semaphore s = new Semaphore(0)) {
            Process releaser = new Process(checked(() -> {
                Thread.sleep(QueueTest.BLOCKED.toMillis());
                s.release();
            }));
            releaser.start();
            assertTrue(s.acquire(HANG));
            releaser.join(HANG);
            assertEquals(0, releaser.exitCode());
            assertEquals(0, s.getValue());
        }
    }

    @Test
    void the_permits_of_a_killed_child_come_back_to_the_next_acquirer() throws Exception {
        try (Semaphore s = new Semaphore(2)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                s.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitValue(s, 0);
            assertEquals(0, s.recoveredPermits());
            holder.kill();
            holder.join(HANG);
            assertTrue(s.acquire(HANG), "first permit of the dead holder");
            assertEquals(2, s.recoveredPermits(), "both of the dead holder's permits were counted when taken back");
            assertTrue(s.acquire(HANG), "second permit of the dead holder");
            assertFalse(s.tryAcquire());
            assertEquals(2, s.heldByThisProcess());
            assertEquals(2, s.recoveredPermits());
        }
    }

    @Test
    void a_waiter_already_asleep_when_the_holder_is_killed_gets_its_permit_and_the_recovery_is_counted() throws Exception {
        try (Semaphore s = new Semaphore(1)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitValue(s, 0);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    s.acquire();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }, "asleep-in-semaphore-acquire");
            waiter.start();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (s.sleepers() == 0) {
                assertTrue(System.nanoTime() < deadline, "the waiter never went to sleep on the semaphore");
                Thread.sleep(10);
            }
            holder.kill();
            holder.join(HANG);
            assertEquals(null, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS), "the sleeping acquire returned normally");
            waiter.join(HANG.toMillis());
            assertEquals(1, s.recoveredPermits());
            assertEquals(1, s.heldByThisProcess());
            assertEquals(0, s.getValue());
            s.release();
            assertEquals(1, s.getValue());
        }
    }

    @Test
    void a_bounded_semaphore_gets_a_killed_childs_permit_back_and_still_refuses_to_exceed_its_bound() throws Exception {
        try (BoundedSemaphore s = new BoundedSemaphore(1)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitValue(s, 0);
            holder.kill();
            holder.join(HANG);
            assertTrue(s.acquire(HANG), "the dead holder's permit");
            s.release();
            assertThrows(IllegalStateException.class, s::release);
            assertEquals(1, s.getValue());
        }
    }

    @Test
    void a_permit_released_on_behalf_of_a_child_is_not_returned_again_when_the_child_dies() throws Exception {
        try (Semaphore s = new Semaphore(1)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitValue(s, 0);
            s.release(); // Python: any process may release; this returns the child's permit
            holder.kill();
            holder.join(HANG);
            assertTrue(s.acquire(HANG));
            assertFalse(s.acquire(SHORT), "the dead child's permit came back twice");
        }
    }

    @Test
    void an_interrupted_acquire_throws_and_the_semaphore_still_works() throws Exception {
        try (Semaphore s = new Semaphore(0)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    s.acquire();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }, "interrupted-in-semaphore-acquire");
            waiter.start();
            // NOTE: not a fixed pause: the thread may not have run yet (the old test read its name as null)
            awaitAsleepInFutex(waiter);
            waiter.interrupt();
            assertTrue(outcome.get(60, TimeUnit.SECONDS) instanceof InterruptedException);
            s.release();
            assertTrue(s.tryAcquire());
        }
    }

    @Test
    void an_event_set_by_a_child_wakes_a_waiter_here() throws Exception {
        try (Event e = new Event()) {
            assertFalse(e.isSet());
            assertFalse(e.await(SHORT));
            Process setter = new Process(checked(() -> {
                Thread.sleep(QueueTest.BLOCKED.toMillis());
                e.set();
            }));
            setter.start();
            assertTrue(e.await(HANG));
            assertTrue(e.isSet());
            setter.join(HANG);
            assertEquals(0, setter.exitCode());
            e.clear();
            assertFalse(e.isSet());
            assertFalse(e.await(Duration.ZERO));
        }
    }

    @Test
    void an_event_waiter_returns_true_when_the_event_was_set_and_cleared_while_it_slept() throws Exception {
        try (Event e = new Event()) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    outcome.complete(e.await(HANG));
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            }, "asleep-in-event-await");
            waiter.start();
            // NOTE: a fixed pause is not enough: a waiter that starts waiting only after set and clear rightly
            // waits on (it never saw the event set); under load it may not even have started after 200 ms
            awaitAsleepInFutex(waiter);
            e.set();
            e.clear();
            assertTrue(outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertFalse(e.isSet());
        }
    }

    /**
     * Waits until {@code t} sleeps in a futex wait (its stack shows {@code Futex.await}): it has read the
     * state it waits on. A thread in a native call reads as RUNNABLE, hence its stack, not its state.
     */
    static void awaitAsleepInFutex(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (java.util.Arrays.stream(t.getStackTrace()).noneMatch(f -> f.getClassName().equals(Futex.class.getName())
                && f.getMethodName().equals("await"))) {
            assertTrue(t.isAlive(), "the thread ended before it slept in a futex wait");
            assertTrue(System.nanoTime() < deadline, "the thread never slept in a futex wait: " + t.getState());
            Thread.sleep(10);
        }
    }

    @Test
    void many_child_waiters_are_all_woken_by_one_set() throws Exception {
        try (Event go = new Event(); Semaphore arrived = new Semaphore(0)) {
            java.util.List<Process> children = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                children.add(new Process(checked(() -> {
                    if (!go.await(HANG)) {
                        throw new AssertionError("never set");
                    }
                    arrived.release();
                })));
            }
            children.forEach(Process::start);
            Thread.sleep(QueueTest.BLOCKED.toMillis());
            go.set();
            for (int i = 0; i < 3; i++) {
                assertTrue(arrived.acquire(HANG));
            }
            for (Process c : children) {
                c.join(HANG);
                assertEquals(0, c.exitCode());
            }
        }
    }

    private static void awaitValue(Semaphore s, int value) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (s.getValue() != value) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value never became " + value + ": " + s.getValue());
            }
            Thread.sleep(10);
        }
    }
}
