package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Less-travelled corners of the synchronization primitives, across real child JVMs: a barrier reset or aborted
 * while a child runs its action, its waiting count then, abort/reset/timeouts/throwing actions from other
 * processes; conditions whose predicate throws, over RLocks held several times, with dead waiters and a dead
 * signaller; semaphores tried with zero or negative timeouts and released by processes that never acquired;
 * events with a killed waiter; locks released by non-owners and taken over from killed holders.
 */
class SyncCornersTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(100);

    // ---- Barrier ----

    /**
     * CPython's and CyclicBarrier's reset() wait for a running action (it runs under the barrier's lock), so
     * the pass whose parties all arrived completes and the next pass starts after it. Here reset() ended that
     * pass as broken at once and started the next one while the action still ran: its parties got
     * BrokenBarrierException although every one arrived and the action succeeded, and new arrivals formed a
     * pass whose action ran at the same time as the first.
     */
    @Test
    void reset_while_a_child_runs_the_action_lets_that_pass_complete_and_the_next_pass_waits_for_the_action() throws Exception {
        try (IntValue running = Value.ofInt(0); Event overlap = new Event(); Semaphore inAction = new Semaphore(0);
             Event finish = new Event();
             Barrier barrier = new Barrier(2, checked(() -> {
                 if (running.getAndAdd(1) != 0) {
                     overlap.set();
                 }
                 inAction.release();
                 finish.await(HANG);
                 running.getAndAdd(-1);
             }), null)) {
            CompletableFuture<Object> waiter = result(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 1, "one party waiting");
            Process runner = new Process(checked(() -> {
                if (barrier.await(HANG) != 1) {
                    throw new AssertionError("index");
                }
            }));
            runner.start();
            java.util.concurrent.atomic.AtomicReference<Thread> t1 = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicReference<Thread> t2 = new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<Object> next1;
            CompletableFuture<Object> next2;
            try {
                assertTrue(inAction.acquire(HANG), "the child never ran the action");
                barrier.reset();
                assertFalse(barrier.isBroken());
                next1 = result(() -> {
                    t1.set(Thread.currentThread());
                    return barrier.await(HANG);
                });
                next2 = result(() -> {
                    t2.set(Thread.currentThread());
                    return barrier.await(HANG);
                });
                awaitTrue(() -> overlap.isSet() || sleepsBehindTheAction(t1.get()) && sleepsBehindTheAction(t2.get()),
                        "the next arrivals neither waited behind the action nor ran their own");
            } finally {
                finish.set();
            }
            assertEquals(0, joined(runner), "the runner's pass was broken by the reset");
            assertEquals(0, waiter.get(60, TimeUnit.SECONDS), "the waiting party's pass was broken by the reset");
            assertEquals(java.util.Set.of(0, 1), java.util.Set.of(next1.get(60, TimeUnit.SECONDS), next2.get(60, TimeUnit.SECONDS)));
            assertFalse(overlap.isSet(), "the next pass's action ran while the reset pass's action still ran");
            assertFalse(barrier.isBroken());
        }
    }

    /** The way out of an action that never ends, now that reset() alone waits for the action's pass. */
    @Test
    void abort_then_reset_gives_up_on_a_childs_action_that_does_not_end_and_a_new_pass_passes() throws Exception {
        try (IntValue actions = Value.ofInt(0); Event inAction = new Event(); Event finish = new Event();
             Barrier barrier = new Barrier(2, checked(() -> {
                 if (actions.getAndAdd(1) == 0) {
                     inAction.set();
                     finish.await(HANG);
                 }
             }), null)) {
            CompletableFuture<Object> waiter = result(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 1, "one party waiting");
            Process runner = new Process(checked(() -> {
                try {
                    barrier.await(HANG);
                    throw new AssertionError("passed a pass aborted during its action");
                } catch (BrokenBarrierException expected) {
                    // aborted
                }
            }));
            runner.start();
            try {
                assertTrue(inAction.await(HANG));
                barrier.abort();
                assertTrue(waiter.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
                assertTrue(barrier.isBroken());
                barrier.reset();
                assertFalse(barrier.isBroken());
                assertEquals(java.util.Set.of(0, 1), passWithThreads(barrier, 2), "a new pass while the old action still runs");
            } finally {
                finish.set();
            }
            assertEquals(0, joined(runner));
            assertFalse(barrier.isBroken());
        }
    }

    /**
     * CPython's n_waiting counts the parties of the pass while the last one runs the action (its state is
     * still "filling" and its count includes every party); here it read 0 then, as if nobody waited.
     */
    @Test
    void nWaiting_counts_every_party_of_the_pass_while_a_child_runs_the_action() throws Exception {
        try (Event running = new Event(); Event finish = new Event();
             Barrier barrier = new Barrier(3, checked(() -> {
                 running.set();
                 finish.await(HANG);
             }), null)) {
            CompletableFuture<Object> first = result(() -> barrier.await(HANG));
            CompletableFuture<Object> second = result(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 2, "two waiting");
            Process last = new Process(checked(() -> barrier.await(HANG)));
            int during;
            try {
                last.start();
                assertTrue(running.await(HANG));
                during = barrier.nWaiting();
                assertFalse(barrier.isBroken());
            } finally {
                finish.set();
            }
            assertEquals(0, joined(last));
            assertEquals(java.util.Set.of(0, 1), java.util.Set.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS)));
            assertEquals(3, during, "parties of the pass while the action runs");
            assertEquals(0, barrier.nWaiting(), "after the pass");
        }
    }

    @Test
    void abort_from_a_child_breaks_parties_waiting_in_two_processes_and_reset_makes_it_whole() throws Exception {
        try (Barrier barrier = new Barrier(3); Semaphore broken = new Semaphore(0)) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await(HANG);
                } catch (BrokenBarrierException expected) {
                    broken.release();
                }
            }));
            waiter.start();
            CompletableFuture<Throwable> here = outcome(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 2, "two parties waiting");
            Process aborter = new Process(checked(barrier::abort));
            assertEquals(0, run(aborter));
            assertTrue(here.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(broken.acquire(HANG), "the child party got BrokenBarrierException");
            assertEquals(0, joined(waiter));
            assertTrue(barrier.isBroken());
            assertEquals(0, barrier.nWaiting());
            assertThrows(BrokenBarrierException.class, () -> barrier.await(HANG));
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.nWaiting());
            passWithThreads(barrier, 3);
        }
    }

    @Test
    void reset_from_a_child_breaks_the_waiting_parties_and_a_new_pass_starts_at_index_0() throws Exception {
        try (Barrier barrier = new Barrier(3)) {
            CompletableFuture<Throwable> a = outcome(() -> barrier.await(HANG));
            CompletableFuture<Throwable> b = outcome(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 2, "two parties waiting");
            assertEquals(0, run(new Process(checked(barrier::reset))));
            assertTrue(a.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(b.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.nWaiting());
            assertEquals(java.util.Set.of(0, 1, 2), passWithThreads(barrier, 3));
        }
    }

    @Test
    void an_action_throwing_in_a_child_fails_that_child_and_breaks_the_barrier_for_parties_here() throws Exception {
        try (Barrier barrier = new Barrier(3, () -> {
            throw new IllegalArgumentException("action failed");
        }, null); Semaphore sawIt = new Semaphore(0)) {
            CompletableFuture<Throwable> a = outcome(() -> barrier.await(HANG));
            CompletableFuture<Throwable> b = outcome(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 2, "two parties waiting");
            Process last = new Process(checked(() -> {
                try {
                    barrier.await(HANG);
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().equals("action failed")) {
                        sawIt.release();
                    }
                }
            }));
            assertEquals(0, run(last));
            assertTrue(sawIt.acquire(HANG), "the child that ran the action got its exception");
            assertTrue(a.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(b.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(barrier.isBroken());
            assertEquals(0, barrier.nWaiting());
        }
    }

    @Test
    void a_single_party_barrier_whose_action_throws_is_broken_for_the_next_await() throws Exception {
        try (Barrier barrier = new Barrier(1, () -> {
            throw new IllegalStateException("boom");
        }, null)) {
            assertThrows(IllegalStateException.class, () -> barrier.await(HANG));
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, () -> barrier.await(HANG));
        }
    }

    @Test
    void a_childs_timeout_breaks_the_barrier_for_parties_waiting_here() throws Exception {
        try (Barrier barrier = new Barrier(3)) {
            CompletableFuture<Throwable> a = outcome(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 1, "one party waiting");
            Process timesOut = new Process(checked(() -> {
                try {
                    barrier.await(SHORT);
                    throw new AssertionError("passed");
                } catch (BrokenBarrierException expected) {
                    if (!expected.getMessage().contains("timed out")) {
                        throw new AssertionError(expected.getMessage());
                    }
                }
            }));
            assertEquals(0, run(timesOut));
            assertTrue(a.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(barrier.isBroken());
            assertEquals(0, barrier.nWaiting());
        }
    }

    @Test
    void the_last_party_with_a_zero_timeout_passes_and_an_earlier_one_breaks_it() throws Exception {
        try (Barrier barrier = new Barrier(2)) {
            CompletableFuture<Throwable> a = outcome(() -> barrier.await(HANG));
            awaitTrue(() -> barrier.nWaiting() == 1, "one party waiting");
            assertEquals(1, barrier.await(Duration.ZERO));
            assertEquals(null, a.get(60, TimeUnit.SECONDS));
            assertThrows(BrokenBarrierException.class, () -> barrier.await(Duration.ZERO));
            assertTrue(barrier.isBroken());
        }
    }

    // ---- Condition ----

    @Test
    void a_predicate_that_throws_leaves_the_lock_held_and_no_waiter_registered() throws Exception {
        try (RLock lock = new RLock(); Condition c = new Condition(lock)) {
            int[] calls = {0};
            lock.acquire();
            CompletableFuture<Throwable> signaller = outcome(() -> {
                lock.acquire();
                try {
                    c.signalAll();
                } finally {
                    lock.release();
                }
                return 0;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.waitFor(() -> {
                if (++calls[0] == 2) {
                    throw new IllegalStateException("predicate");
                }
                return false;
            }, HANG));
            assertEquals("predicate", e.getMessage());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(1, lock.getHoldCount());
            assertEquals(0, c.waiting());
            lock.release();
            assertEquals(null, signaller.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_child_waiting_on_an_rlock_held_three_times_gives_all_up_and_gets_all_back() throws Exception {
        try (RLock lock = new RLock(); Condition c = new Condition(lock); Event done = new Event()) {
            Process waiter = new Process(checked(() -> {
                lock.acquire();
                lock.acquire();
                lock.acquire();
                if (!c.await(HANG)) {
                    throw new AssertionError("not signalled");
                }
                if (lock.getHoldCount() != 3) {
                    throw new AssertionError("holds " + lock.getHoldCount());
                }
                lock.release();
                lock.release();
                if (!lock.isLocked()) {
                    throw new AssertionError("released too soon");
                }
                lock.release();
                assertThrows(IllegalMonitorStateException.class, lock::release);
                done.set();
            }));
            waiter.start();
            awaitTrue(() -> c.waiting() == 1, "the child waiting");
            assertTrue(lock.acquire(HANG), "the child's wait gave up every hold");
            c.signal();
            lock.release();
            assertTrue(done.await(HANG));
            assertEquals(0, joined(waiter));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void signalAll_wakes_waiters_in_two_children_and_here() throws Exception {
        try (Lock lock = new Lock(); Condition c = new Condition(lock); Semaphore woken = new Semaphore(0)) {
            List<Process> waiters = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waiters.add(new Process(checked(() -> {
                    c.acquire();
                    try {
                        if (c.await(HANG)) {
                            woken.release();
                        }
                    } finally {
                        c.release();
                    }
                })));
            }
            waiters.forEach(Process::start);
            CompletableFuture<Throwable> here = outcome(() -> {
                c.acquire();
                try {
                    return c.await(HANG) ? 1 : 0;
                } finally {
                    c.release();
                }
            });
            awaitTrue(() -> c.waiting() == 3, "three waiters");
            c.acquire();
            c.signal(0);
            c.signal(-1);
            assertEquals(3, c.waiting(), "signal(0) and signal(-1) wake none");
            c.signalAll();
            assertEquals(0, c.waiting());
            c.release();
            assertEquals(null, here.get(60, TimeUnit.SECONDS));
            assertTrue(woken.acquire(HANG));
            assertTrue(woken.acquire(HANG));
            for (Process w : waiters) {
                assertEquals(0, joined(w));
            }
        }
    }

    @Test
    void signal_2_with_the_oldest_waiter_killed_wakes_the_two_live_ones() throws Exception {
        try (Condition c = new Condition(); Semaphore woken = new Semaphore(0)) {
            Process doomed = new Process(checked(() -> {
                c.acquire();
                c.await(HANG.multipliedBy(10));
            }));
            doomed.start();
            awaitTrue(() -> c.waiting() == 1, "the doomed waiter");
            List<Process> live = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Process p = new Process(checked(() -> {
                    c.acquire();
                    try {
                        if (c.await(HANG)) {
                            woken.release();
                        }
                    } finally {
                        c.release();
                    }
                }));
                p.start();
                live.add(p);
                int n = i + 2;
                awaitTrue(() -> c.waiting() == n, n + " waiters");
            }
            doomed.kill();
            doomed.join(HANG);
            c.acquire();
            c.signal(2);
            c.release();
            assertTrue(woken.acquire(HANG));
            assertTrue(woken.acquire(HANG));
            for (Process p : live) {
                assertEquals(0, joined(p));
            }
            assertEquals(0, c.waiting());
        }
    }

    @Test
    void await_by_a_child_thread_not_holding_an_rlock_the_parent_holds_throws_IllegalMonitorStateException() throws Exception {
        try (Condition c = new Condition()) {
            c.acquire();
            try {
                Process p = new Process(checked(() -> {
                    assertThrows(IllegalMonitorStateException.class, c::await);
                    assertThrows(IllegalMonitorStateException.class, c::signal);
                    assertThrows(IllegalMonitorStateException.class, c::release);
                }));
                assertEquals(0, run(p));
            } finally {
                c.release();
            }
        }
    }

    @Test
    void a_child_killed_with_every_condition_slot_waiting_leaves_them_free_for_a_waiter_here() throws Exception {
        try (Condition c = new Condition()) {
            Process filler = new Process(checked(() -> {
                for (int i = 0; i < 128; i++) {
                    Thread t = new Thread(() -> {
                        try {
                            c.acquire();
                            c.await();
                        } catch (Exception e) {
                            // killed anyway
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                }
                Thread.sleep(HANG.toMillis() * 10);
            }));
            filler.start();
            awaitTrue(() -> c.waiting() == 128, "128 waiters");
            filler.kill();
            filler.join(HANG);
            CompletableFuture<Throwable> here = outcome(() -> {
                c.acquire();
                try {
                    return c.await(HANG);
                } finally {
                    c.release();
                }
            });
            awaitTrue(() -> here.isDone() || c.waiting() == 1, "the waiter registered in a dead waiter's slot");
            assertFalse(here.isDone(), () -> "the wait ended: " + here.join());
            c.acquire();
            c.signal();
            c.release();
            assertEquals(null, here.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_child_waiting_with_two_rlock_holds_whose_signaller_is_killed_holding_gets_OwnerDiedException_and_both_holds() throws Exception {
        try (RLock lock = new RLock(); Condition c = new Condition(lock); Event holding = new Event(); Event ok = new Event()) {
            Process waiter = new Process(checked(() -> {
                lock.acquire();
                lock.acquire();
                try {
                    c.await(HANG);
                    throw new AssertionError("no OwnerDiedException");
                } catch (OwnerDiedException expected) {
                    if (lock.getHoldCount() == 2) {
                        ok.set();
                    } else {
                        throw new AssertionError("holds " + lock.getHoldCount());
                    }
                }
                lock.release();
                lock.release();
            }));
            waiter.start();
            awaitTrue(() -> c.waiting() == 1, "the child waiting");
            Process signaller = new Process(checked(() -> {
                lock.acquire();
                c.signal();
                holding.set();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            signaller.start();
            assertTrue(holding.await(HANG));
            signaller.kill();
            signaller.join(HANG);
            assertTrue(ok.await(HANG));
            assertEquals(0, joined(waiter));
        }
    }

    /** True if {@code t} sleeps in the futex of the barrier's arrival loop (behind a running action). */
    private static boolean sleepsBehindTheAction(Thread t) {
        if (t == null) {
            return false;
        }
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i + 1 < stack.length; i++) {
            if (stack[i].getClassName().endsWith(".Futex") && stack[i].getMethodName().equals("await")) {
                return stack[i + 1].getClassName().endsWith(".SharedBarrier") && stack[i + 1].getMethodName().equals("await");
            }
        }
        return false;
    }

    /** Runs {@code body} in a new thread: completes with its result, or with the exception it threw as the value. */
    private static CompletableFuture<Object> result(Body body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return body.run();
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
    }

    @Test
    void a_condition_over_a_values_lock_is_waited_on_in_a_child_holding_it_through_the_values_own_lock_object() throws Exception {
        try (IntValue v = Value.ofInt(0); Condition c = new Condition(v.getLock())) {
            Process waiter = new Process(checked(() -> {
                v.getLock().lock();
                try {
                    if (!c.waitFor(() -> v.get() == 7, HANG)) {
                        throw new AssertionError("never 7");
                    }
                    if (v.getLock().getHoldCount() != 1) {
                        throw new AssertionError("holds");
                    }
                } finally {
                    v.getLock().unlock();
                }
            }));
            waiter.start();
            awaitTrue(() -> c.waiting() == 1, "the child waiting");
            v.getLock().lock();
            try {
                v.set(7);
                c.signalAll();
            } finally {
                v.getLock().unlock();
            }
            assertEquals(0, joined(waiter));
        }
    }

    // ---- Semaphore ----

    @Test
    void acquire_with_a_zero_or_negative_timeout_tries_once_and_reclaims_a_killed_holders_permit() throws Exception {
        try (Semaphore s = new Semaphore(1)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitTrue(() -> s.getValue() == 0, "the child took the permit");
            assertFalse(s.acquire(Duration.ZERO));
            assertFalse(s.acquire(Duration.ofSeconds(-5)));
            assertFalse(s.tryAcquire());
            holder.kill();
            holder.join(HANG);
            assertTrue(s.acquire(Duration.ofMillis(-1)), "a try-once acquire reclaims the dead holder's permit");
            assertEquals(1, s.recoveredPermits());
            assertEquals(0, s.getValue());
            s.release();
            assertEquals(1, s.getValue());
        }
    }

    @Test
    void a_bounded_semaphore_released_by_a_child_that_never_acquired_returns_the_parents_permit_once() throws Exception {
        try (BoundedSemaphore s = new BoundedSemaphore(2)) {
            assertTrue(s.tryAcquire());
            assertTrue(s.tryAcquire());
            assertEquals(0, run(new Process(checked(() -> {
                s.release();
                s.release();
                assertThrows(IllegalStateException.class, s::release);
            }))));
            assertEquals(2, s.getValue());
            assertThrows(IllegalStateException.class, s::release, "the parent's permits were returned by the child");
            assertEquals(2, s.getValue());
        }
    }

    // ---- Event ----

    @Test
    void a_killed_event_waiter_does_not_keep_a_set_from_waking_a_waiter_in_another_child() throws Exception {
        try (Event e = new Event(); Semaphore woke = new Semaphore(0)) {
            Process doomed = new Process(checked(() -> e.await()));
            doomed.start();
            Process live = new Process(checked(() -> {
                if (e.await(HANG)) {
                    woke.release();
                }
            }));
            live.start();
            Thread.sleep(300);
            doomed.kill();
            doomed.join(HANG);
            assertFalse(e.await(Duration.ZERO));
            e.set();
            assertTrue(woke.acquire(HANG));
            assertEquals(0, joined(live));
            assertTrue(e.await(Duration.ZERO));
            e.clear();
            assertFalse(e.await(SHORT));
        }
    }

    // ---- Lock / RLock ----

    @Test
    void a_plain_lock_held_here_may_be_released_by_a_child_and_an_rlock_may_not() throws Exception {
        try (Lock lock = new Lock(); RLock rlock = new RLock()) {
            lock.acquire();
            rlock.acquire();
            assertEquals(0, run(new Process(checked(() -> {
                lock.release();
                assertThrows(IllegalStateException.class, lock::release);
                assertThrows(IllegalMonitorStateException.class, rlock::release);
                assertThrows(IllegalMonitorStateException.class, rlock::unlock);
            }))));
            assertFalse(lock.isLocked());
            assertTrue(rlock.isLocked());
            assertEquals(1, rlock.getHoldCount());
            rlock.release();
            assertThrows(IllegalMonitorStateException.class, rlock::release);
            assertFalse(rlock.isLocked());
        }
    }

    @Test
    void tryAcquire_and_timed_acquire_after_a_killed_holder_throw_OwnerDiedException_holding_the_lock() throws Exception {
        try (Lock lock = new Lock(); RLock rlock = new RLock()) {
            Process holder = new Process(checked(() -> {
                lock.acquire();
                rlock.acquire();
                rlock.acquire();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            awaitTrue(() -> rlock.isLocked(), "the child holds both");
            holder.kill();
            holder.join(HANG);
            assertThrows(OwnerDiedException.class, lock::tryAcquire);
            assertTrue(lock.isLocked());
            assertFalse(lock.tryAcquire());
            lock.release();
            assertThrows(OwnerDiedException.class, () -> rlock.acquire(Duration.ZERO));
            assertEquals(1, rlock.getHoldCount());
            rlock.release();
            assertFalse(rlock.isLocked());
        }
    }

    @Test
    void a_lock_biased_to_a_child_killed_while_not_holding_it_is_taken_here_without_OwnerDiedException() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.multiprocessing4j.internal.futex.Membarrier.REGISTERED,
                "no membarrier here: locks are never biased");
        try (Lock lock = new Lock(); Event biased = new Event()) {
            Process child = new Process(checked(() -> {
                for (int i = 0; i < 100_000 && !lock.isBiased(); i++) {
                    lock.acquire();
                    lock.release();
                }
                if (!lock.isBiased()) {
                    throw new AssertionError("never biased");
                }
                lock.acquire(); // through the bias
                lock.release();
                biased.set();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            child.start();
            assertTrue(biased.await(HANG));
            assertTrue(lock.isBiased());
            assertFalse(lock.isLocked());
            child.kill();
            child.join(HANG);
            assertTrue(lock.acquire(HANG), "a free lock, though biased to a dead thread");
            assertFalse(lock.isBiased());
            lock.release();
            assertFalse(lock.isLocked());
        }
    }

    // ---- helpers ----

    interface Body {
        Object run() throws Exception;
    }

    private static CompletableFuture<Throwable> outcome(Body body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                body.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
    }

    private static java.util.Set<Integer> passWithThreads(Barrier barrier, int n) throws Exception {
        List<CompletableFuture<Integer>> parties = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parties.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return barrier.await(HANG);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()));
        }
        java.util.Set<Integer> indices = new java.util.TreeSet<>();
        for (CompletableFuture<Integer> p : parties) {
            indices.add(p.get(60, TimeUnit.SECONDS));
        }
        return indices;
    }

    private static void awaitTrue(BooleanSupplier condition, String never) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never: " + never);
            }
            Thread.sleep(10);
        }
    }
}
