package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Barrier across real child JVMs: arrival indices, the action, breaking (timeout, abort, interrupt), and dead parties. */
class BarrierTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(100);
    private static final int PASSES = 3;

    @Test
    void a_barrier_without_parties_is_refused_naming_the_value() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        assertTrue(e.getMessage().contains("not 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Barrier(-3));
        assertTrue(e.getMessage().contains("not -3"), e.getMessage());
    }

    @Test
    void three_processes_pass_together_each_time_with_distinct_indices_and_one_action_per_pass() throws Exception {
        try (Semaphore actions = new Semaphore(0); Queue<Integer> indices = new Queue<>()) {
            try (Barrier barrier = new Barrier(3, actions::release, null)) {
                List<Process> children = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    children.add(new Process(checked(() -> {
                        for (int pass = 0; pass < PASSES; pass++) {
                            indices.put(barrier.await(HANG));
                        }
                    })));
                }
                children.forEach(Process::start);
                for (int pass = 0; pass < PASSES; pass++) {
                    indices.put(barrier.await(HANG));
                }
                for (Process c : children) {
                    c.join(HANG);
                    assertEquals(0, c.exitCode());
                }
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < 3 * PASSES; i++) {
                    all.add(indices.get(HANG));
                }
                assertEquals(List.of(0, 0, 0, 1, 1, 1, 2, 2, 2), all.stream().sorted().toList());
                assertEquals(PASSES, actions.getValue(), "one action per pass");
                assertFalse(barrier.isBroken());
                assertEquals(0, barrier.nWaiting());
                assertEquals(3, barrier.parties());
            }
        }
    }

    @Test
    void a_timeout_breaks_the_barrier_for_every_waiting_party_until_reset() throws Exception {
        try (Barrier barrier = new Barrier(3)) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await(HANG);
                    throw new AssertionError("passed a barrier that should break");
                } catch (BrokenBarrierException expected) {
                    // the parent's timeout broke it
                }
            }));
            waiter.start();
            awaitWaiting(barrier, 1);
            BrokenBarrierException e = assertThrows(BrokenBarrierException.class, () -> barrier.await(SHORT));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode());
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, () -> barrier.await(HANG), "a later arrival fails at once");
            barrier.reset();
            assertFalse(barrier.isBroken());
            passWithThreads(barrier, 3);
        }
    }

    @Test
    void abort_breaks_the_barrier_for_a_waiting_child() throws Exception {
        try (Barrier barrier = new Barrier(2)) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await();
                    throw new AssertionError("passed an aborted barrier");
                } catch (BrokenBarrierException expected) {
                    // aborted
                }
            }));
            waiter.start();
            awaitWaiting(barrier, 1);
            barrier.abort();
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode());
            assertTrue(barrier.isBroken());
        }
    }

    @Test
    void reset_while_a_child_waits_breaks_its_wait_and_the_barrier_then_passes_anew() throws Exception {
        try (Barrier barrier = new Barrier(2)) {
            Process waiter = new Process(checked(() -> {
                try {
                    barrier.await();
                    throw new AssertionError("passed a barrier that was reset under it");
                } catch (BrokenBarrierException expected) {
                    // reset
                }
            }));
            waiter.start();
            awaitWaiting(barrier, 1);
            barrier.reset();
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode(), "the waiting child got BrokenBarrierException");
            assertFalse(barrier.isBroken(), "reset leaves the barrier whole, not broken");
            assertEquals(0, barrier.nWaiting());
            assertEquals(Set.of(0, 1), passWithThreads(barrier, 2), "a new pass after the reset");
        }
    }

    @Test
    void a_party_killed_while_waiting_still_counts_and_the_next_pass_is_not_blocked() throws Exception {
        try (Barrier barrier = new Barrier(3)) {
            Process doomed = new Process(checked(() -> barrier.await()));
            doomed.start();
            awaitWaiting(barrier, 1);
            doomed.kill();
            doomed.join(HANG);
            Set<Integer> indices = passWithThreads(barrier, 2);
            assertEquals(Set.of(1, 2), indices, "the dead party arrived as 0");
            assertEquals(Set.of(0, 1, 2), passWithThreads(barrier, 3), "the next pass");
        }
    }

    @Test
    void a_process_killed_while_running_the_action_breaks_the_barrier_for_the_waiters() throws Exception {
        try (Event running = new Event();
             Barrier barrier = new Barrier(2, () -> {
                 running.set();
                 try {
                     Thread.sleep(HANG.toMillis() * 10);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             }, null)) {
            CompletableFuture<Throwable> first = CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await(HANG);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, r -> new Thread(r).start());
            awaitWaiting(barrier, 1);
            Process last = new Process(checked(() -> barrier.await())); // arrives last: runs the action
            last.start();
            assertTrue(running.await(HANG));
            last.kill();
            last.join(HANG);
            Throwable outcome = first.get(60, TimeUnit.SECONDS);
            assertTrue(outcome instanceof BrokenBarrierException, "got " + outcome);
            assertTrue(barrier.isBroken());
        }
    }

    @Test
    void a_process_killed_in_the_action_with_no_party_left_breaks_the_barrier_for_a_new_arrival() throws Exception {
        try (Event inAction = new Event();
             Event never = new Event();
             Barrier barrier = new Barrier(1, checked(() -> {
                 inAction.set();
                 never.await();
             }), null)) {
            Process runner = new Process(checked(() -> barrier.await())); // the only party: runs the action
            runner.start();
            assertTrue(inAction.await(HANG));
            runner.kill();
            runner.join(HANG);
            assertTrue(barrier.isBroken(), "a runner killed in the action breaks the pass, before anyone arrives to notice");
            CompletableFuture<Throwable> arrival = outcomeInThread(() -> barrier.await(Duration.ofSeconds(30)), null);
            Throwable outcome = endsWithin(arrival, barrier::abort);
            assertTrue(outcome instanceof BrokenBarrierException, "got " + outcome);
            assertTrue(barrier.isBroken());
        }
    }

    @Test
    void a_timeout_while_another_process_runs_the_action_breaks_the_next_pass_without_waiting_for_the_action() throws Exception {
        behindARunningAction((barrier, finish) -> {
            CompletableFuture<Throwable> arrival = outcomeInThread(() -> barrier.await(SHORT), null);
            Throwable outcome = endsWithin(arrival, finish::set); // NOTE: ends while the action still runs
            assertTrue(outcome instanceof BrokenBarrierException, "got " + outcome);
            assertTrue(outcome.getMessage().contains("timed out"), outcome.getMessage());
            assertTrue(barrier.isBroken(), "broken for later arrivals at once");
            assertThrows(BrokenBarrierException.class, () -> barrier.await(HANG), "a later arrival fails at once");
        });
    }

    @Test
    void an_arrival_interrupted_while_another_process_runs_the_action_throws_InterruptedException() throws Exception {
        behindARunningAction((barrier, finish) -> {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<Throwable> arrival = outcomeInThread(() -> barrier.await(HANG), thread);
            awaitSleepingBehindTheAction(thread);
            thread.get().interrupt();
            Throwable outcome = endsWithin(arrival, finish::set);
            assertTrue(outcome instanceof InterruptedException, "got " + outcome);
            assertEquals(1, barrier.nWaiting(), "the action's one party only: nothing of the arrival left registered");
        });
    }

    /** What a test does while a child runs the action of a one-party barrier: {@code finish} ends the action. */
    private interface WhileTheActionRuns {
        void run(Barrier barrier, Event finish) throws Exception;
    }

    /**
     * The scene of the two tests above: a {@code Barrier(1)} whose only party, a child, runs the action until
     * {@code finish} is set; {@code scene} runs meanwhile (a thread of this JVM arrives for the next pass). Then
     * asserts that the child's pass still passed (its party arrived in time), that the arrival left the next
     * pass broken, and that after {@code reset()} a fresh pass gives index 0 (the arrival holds none).
     */
    private static void behindARunningAction(WhileTheActionRuns scene) throws Exception {
        try (Event inAction = new Event();
             Event finish = new Event();
             Barrier barrier = new Barrier(1, checked(() -> {
                 inAction.set();
                 assertTrue(finish.await(HANG.multipliedBy(3))); // NOTE: longer than the hang guard of the arrival
             }), null)) {
            Process runner = new Process(checked(() -> assertEquals(0, barrier.await(HANG))));
            runner.start();
            try {
                assertTrue(inAction.await(HANG));
                scene.run(barrier, finish);
            } finally {
                finish.set();
            }
            runner.join(HANG);
            assertEquals(0, runner.exitCode(), "the pass whose parties all arrived in time still passes");
            assertTrue(barrier.isBroken(), "the arrival breaks the pass after it, as a waiter's timeout or interrupt does");
            barrier.reset();
            assertEquals(Set.of(0), passWithThreads(barrier, 1), "a fresh pass: the arrival holds no index");
        }
    }

    @Test
    void an_interrupted_party_throws_and_breaks_the_barrier_for_the_others() throws Exception {
        try (Barrier barrier = new Barrier(3)) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<Throwable> interrupted = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                try {
                    barrier.await();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, r -> new Thread(r).start());
            CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, r -> new Thread(r).start());
            awaitWaiting(barrier, 2);
            thread.get().interrupt();
            assertTrue(interrupted.get(60, TimeUnit.SECONDS) instanceof InterruptedException);
            assertTrue(other.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
            assertTrue(barrier.isBroken());
        }
    }

    @Test
    void a_party_whose_timeout_passes_while_the_action_runs_passes_with_the_others() throws Exception {
        // NOTE: this thread must arrive within the child's timeout after seeing it wait: 3 s leaves room for a
        // machine busy with other builds (1 s was tight for a CI run under load)
        Duration timeout = Duration.ofSeconds(3);
        try (Barrier barrier = new Barrier(2, checked(() -> Thread.sleep(timeout.multipliedBy(2).toMillis())), null)) {
            // NOTE: the action runs here (this thread arrives last) and outlasts the child's timeout
            Process waiter = new Process(checked(() -> assertEquals(0, barrier.await(timeout))));
            waiter.start();
            awaitWaiting(barrier, 1);
            assertEquals(1, barrier.await(HANG), "this pass was not broken");
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode(), "every party arrived in time: the waiter passes (CPython's rule)");
            assertFalse(barrier.isBroken());
        }
    }

    @Test
    void an_action_that_throws_fails_the_last_party_with_it_and_breaks_the_barrier_for_the_others() throws Exception {
        try (Barrier barrier = new Barrier(2, () -> {
            throw new IllegalStateException("action failed");
        }, null)) {
            CompletableFuture<Throwable> first = CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await(HANG);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, r -> new Thread(r).start());
            awaitWaiting(barrier, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> barrier.await(HANG));
            assertEquals("action failed", e.getMessage());
            assertTrue(first.get(60, TimeUnit.SECONDS) instanceof BrokenBarrierException);
        }
    }

    interface Await {
        int await() throws Exception;
    }

    /** Runs {@code body} in a new thread (recorded in {@code thread} if not null); completes with what it threw, or null. */
    private static CompletableFuture<Throwable> outcomeInThread(Await body, AtomicReference<Thread> thread) {
        return CompletableFuture.supplyAsync(() -> {
            if (thread != null) {
                thread.set(Thread.currentThread());
            }
            try {
                body.await();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
    }

    /** The outcome of {@code arrival}; if it hangs, runs {@code release} (so that no thread is left waiting) and fails. */
    private static Throwable endsWithin(CompletableFuture<Throwable> arrival, Runnable release) throws Exception {
        try {
            return arrival.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException hang) {
            release.run();
            Throwable late = arrival.get(HANG.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("await still waiting after " + HANG + " (released by the test, then got " + late + ")");
        }
    }

    /** Waits until {@code thread} sleeps in the futex of the barrier's arrival loop (not of its mutex). */
    private static void awaitSleepingBehindTheAction(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        for (;;) {
            Thread t = thread.get();
            if (t != null) {
                StackTraceElement[] stack = t.getStackTrace();
                for (int i = 0; i + 1 < stack.length; i++) {
                    if (stack[i].getClassName().endsWith(".Futex") && stack[i].getMethodName().equals("await")) {
                        if (stack[i + 1].getClassName().endsWith(".SharedBarrier") && stack[i + 1].getMethodName().equals("await")) {
                            return;
                        }
                        break;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the arrival never slept behind the action");
            }
            Thread.sleep(10);
        }
    }

    /** Runs {@code n} threads through one pass of {@code barrier}; returns their indices. */
    private static Set<Integer> passWithThreads(Barrier barrier, int n) throws Exception {
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
        Set<Integer> indices = new TreeSet<>();
        for (CompletableFuture<Integer> p : parties) {
            indices.add(p.get(60, TimeUnit.SECONDS));
        }
        return indices;
    }

    private static void awaitWaiting(Barrier barrier, int n) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (barrier.nWaiting() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " parties waiting, saw " + barrier.nWaiting());
            }
            Thread.sleep(10);
        }
    }
}
