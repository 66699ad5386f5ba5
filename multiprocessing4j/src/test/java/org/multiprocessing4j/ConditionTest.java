package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Condition: Python's notify rules (signals not stored, timed-out or interrupted waiters absorb nothing,
 * even while the signaller holds the lock, signal(n) wakes n), across real child JVMs, with dead waiters and
 * a dead lock holder; over a plain Lock, only the thread that acquired it may wait or signal.
 */
class ConditionTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void awaitUntil_a_date_long_past_returns_false_at_once() throws Exception {
        // NOTE: new Date(Long.MIN_VALUE) overflowed the time left into a wait for ever
        try (Condition c = new Condition()) {
            c.acquire();
            try {
                assertFalse(c.awaitUntil(new java.util.Date(Long.MIN_VALUE)));
                assertFalse(c.awaitUntil(new java.util.Date(System.currentTimeMillis() - 1_000)));
            } finally {
                c.release();
            }
        }
    }

    @Test
    void a_signal_with_no_waiter_is_not_stored() throws Exception {
        try (Condition c = new Condition()) {
            c.acquire();
            try {
                c.signal();
                c.signalAll();
                assertFalse(c.await(SHORT), "an earlier signal woke a later waiter");
            } finally {
                c.release();
            }
        }
    }

    @Test
    void a_closed_condition_says_so_and_not_that_its_own_lock_is_closed() {
        Condition c = new Condition();
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::signalAll);
        assertTrue(e.getMessage().startsWith("a condition "), e.getMessage()); // NOTE: said "a reentrant lock ..." before
        e = assertThrows(IllegalStateException.class, () -> c.await(SHORT));
        assertTrue(e.getMessage().startsWith("a condition "), e.getMessage());
    }

    @Test
    void a_child_waiter_is_woken_by_a_signal_from_here() throws Exception {
        try (Condition c = new Condition(); Event woke = new Event()) {
            Process waiter = new Process(checked(() -> {
                c.acquire();
                try {
                    if (!c.await(HANG)) {
                        throw new AssertionError("not signalled");
                    }
                    woke.set();
                } finally {
                    c.release();
                }
            }));
            waiter.start();
            awaitWaiting(c::waiting, 1);
            c.acquire();
            c.signal();
            c.release();
            assertTrue(woke.await(HANG));
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode());
            assertEquals(0, c.waiting());
        }
    }

    @Test
    void signal_n_wakes_exactly_n_of_the_child_waiters_and_signalAll_the_rest() throws Exception {
        try (Lock lock = new Lock(); Condition c = new Condition(lock); Semaphore woken = new Semaphore(0)) {
            List<Process> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiters.add(new Process(checked(() -> {
                    c.acquire();
                    try {
                        if (!c.await(HANG)) {
                            throw new AssertionError("not signalled");
                        }
                    } finally {
                        c.release();
                    }
                    woken.release();
                })));
            }
            waiters.forEach(Process::start);
            awaitWaiting(c::waiting, 3);
            c.acquire();
            c.signal(2);
            c.release();
            assertTrue(woken.acquire(HANG));
            assertTrue(woken.acquire(HANG));
            assertFalse(woken.acquire(QueueTest.BLOCKED), "signal(2) woke a third waiter");
            assertEquals(1, c.waiting());
            c.acquire();
            c.signalAll();
            c.release();
            assertTrue(woken.acquire(HANG));
            for (Process w : waiters) {
                w.join(HANG);
                assertEquals(0, w.exitCode());
            }
        }
    }

    @Test
    void a_waiter_that_timed_out_absorbs_no_later_signal() throws Exception {
        try (Condition c = new Condition()) {
            c.acquire();
            assertFalse(c.await(SHORT));
            c.release();
            CompletableFuture<Boolean> late = waitInThread(c);
            awaitWaiting(c::waiting, 1);
            c.acquire();
            c.signal();
            c.release();
            assertTrue(late.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_killed_child_waiter_is_skipped_and_the_signal_goes_to_a_live_one() throws Exception {
        try (Condition c = new Condition()) {
            Process doomed = new Process(checked(() -> {
                c.acquire();
                c.await(HANG.multipliedBy(10));
            }));
            doomed.start();
            awaitWaiting(c::waiting, 1);
            CompletableFuture<Boolean> live = waitInThread(c); // registers after the child: the younger waiter
            awaitWaiting(c::waiting, 2);
            doomed.kill();
            doomed.join(HANG);
            c.acquire();
            c.signal();
            c.release();
            assertTrue(live.get(60, TimeUnit.SECONDS), "the signal went to the dead waiter");
            assertEquals(0, c.waiting());
        }
    }

    @Test
    void a_waiter_whose_lock_holder_is_killed_takes_the_lock_over_with_OwnerDiedException() throws Exception {
        try (Condition c = new Condition()) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    c.acquire();
                    c.await(HANG);
                } catch (Throwable t) {
                    outcome.set(t);
                    if (t instanceof OwnerDiedException) {
                        c.release(); // held: release it from the thread that holds it
                    }
                }
            }, r -> new Thread(r).start());
            awaitWaiting(c::waiting, 1);
            Process signaller = new Process(checked(() -> {
                c.acquire();
                c.signal();
                Thread.sleep(HANG.toMillis() * 10); // dies holding the lock
            }));
            signaller.start();
            awaitWaiting(c::waiting, 0);
            Thread.sleep(QueueTest.BLOCKED.toMillis()); // the waiter now waits for the lock
            signaller.kill();
            signaller.join(HANG);
            waiter.get(60, TimeUnit.SECONDS);
            assertTrue(outcome.get() instanceof OwnerDiedException, "got " + outcome.get());
        }
    }

    @Test
    void await_and_signal_without_the_lock_throw_IllegalMonitorStateException() throws Exception {
        try (Condition c = new Condition(); Lock lock = new Lock(); Condition onLock = lock.newCondition()) {
            assertThrows(IllegalMonitorStateException.class, c::await);
            assertThrows(IllegalMonitorStateException.class, c::signal);
            assertThrows(IllegalMonitorStateException.class, () -> onLock.await(SHORT));
            assertThrows(IllegalMonitorStateException.class, onLock::signalAll);
            // NOTE: as Python's notify(n): the lock is checked first, and n <= 0 wakes nobody
            assertThrows(IllegalMonitorStateException.class, () -> c.signal(-1));
            c.acquire();
            try {
                c.signal(-1);
                c.signal(0);
            } finally {
                c.release();
            }
        }
    }

    @Test
    void an_interrupted_waiter_withdraws_and_throws_with_the_lock_held_again() throws Exception {
        try (Condition c = new Condition()) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                try {
                    c.acquire();
                    try {
                        c.await();
                        return "returned";
                    } catch (InterruptedException e) {
                        return "interrupted, waiting " + c.waiting() + ", lock held " + heldByMe(c);
                    } finally {
                        c.release();
                    }
                } catch (InterruptedException e) {
                    return "interrupted before waiting";
                }
            }, r -> new Thread(r).start());
            awaitWaiting(c::waiting, 1);
            thread.get().interrupt();
            assertEquals("interrupted, waiting 0, lock held true", outcome.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_wait_on_an_rlock_held_twice_gives_up_both_holds_and_restores_them() throws Exception {
        try (RLock lock = new RLock(); Condition c = new Condition(lock)) {
            lock.acquire();
            lock.acquire();
            CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> {
                try {
                    lock.acquire();
                    try {
                        c.signal();
                    } finally {
                        lock.release();
                    }
                    return true;
                } catch (InterruptedException e) {
                    return false;
                }
            }, r -> new Thread(r).start());
            assertTrue(c.await(HANG), "the other thread could not take the lock to signal");
            assertTrue(other.get(60, TimeUnit.SECONDS));
            assertEquals(2, lock.getHoldCount());
            lock.release();
            lock.release();
        }
    }

    @Test
    void waitFor_returns_the_predicate_once_true_or_its_last_value_on_timeout() throws Exception {
        try (Condition c = new Condition()) {
            AtomicBoolean ready = new AtomicBoolean();
            c.acquire();
            assertFalse(c.waitFor(ready::get, SHORT));
            c.release();
            CompletableFuture<Void> setter = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(QueueTest.BLOCKED.toMillis());
                    c.acquire();
                    ready.set(true);
                    c.signalAll();
                    c.release();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start());
            c.acquire();
            assertTrue(c.waitFor(ready::get, HANG));
            c.release();
            setter.get(60, TimeUnit.SECONDS);
        }
    }

    /** True if the current thread holds the condition's (default, reentrant) lock: a re-acquire then nests. */
    private static boolean heldByMe(Condition c) {
        boolean nested = c.tryAcquire();
        if (nested) {
            c.release();
        }
        return nested;
    }

    @Test
    void a_waiter_killed_after_taking_a_signal_strands_nobody_and_the_next_signal_wakes_a_live_waiter() throws Exception {
        try (RLock lock = new RLock(); Condition c = new Condition(lock)) {
            Process doomed = new Process(checked(() -> {
                c.acquire();
                c.await(HANG.multipliedBy(10));
            }));
            doomed.start();
            awaitWaiting(c::waiting, 1);
            CompletableFuture<Boolean> live = waitInThread(c); // the younger waiter: the first signal is the child's
            awaitWaiting(c::waiting, 2);
            c.acquire();
            c.signal();
            awaitWaiting(c::waiting, 1);
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!lock.hasWaiters()) { // NOTE: the child took the signal and now waits for the lock we hold
                assertTrue(System.nanoTime() < deadline, "the signalled child never went back for the lock");
                Thread.sleep(10);
            }
            doomed.kill();
            doomed.join(HANG);
            c.release();
            c.acquire();
            c.signal();
            c.release();
            assertTrue(live.get(60, TimeUnit.SECONDS), "the live waiter was not woken by the next signal");
            assertEquals(0, c.waiting());
            assertFalse(lock.isLocked(), "the dead child never held the lock again, so nobody holds it");
        }
    }

    /**
     * The first timeout of the waiter that gives up: its deadline must pass only once both waiters wait (and then
     * while the signaller holds the lock), or the scene shows nothing. Starting the younger waiter can take
     * longer than that on a loaded machine (a fixed 500 ms failed there: the older one had given up before the
     * younger one waited, and "2 waiters" was never seen); such a missed scene asserts nothing and is played
     * again with a four times longer timeout, up to {@link #GIVES_UP_LIMIT}.
     */
    private static final Duration GIVES_UP = Duration.ofMillis(500);
    private static final Duration GIVES_UP_LIMIT = Duration.ofSeconds(30);

    @Test
    void a_waiter_whose_timeout_passes_while_the_signaller_holds_the_lock_absorbs_no_signal() throws Exception {
        for (Duration givesUpAfter = GIVES_UP; ; givesUpAfter = givesUpAfter.multipliedBy(4)) {
            assertTrue(givesUpAfter.compareTo(GIVES_UP_LIMIT) <= 0, "the waiter always gave up before the second waited");
            try (Condition c = new Condition()) {
                CompletableFuture<Boolean> givesUp = waitInThread(c, givesUpAfter);
                boolean scene = awaitWaitingUnless(c::waiting, 1, givesUp);
                CompletableFuture<Boolean> live = waitInThread(c, HANG); // the younger waiter
                scene = scene && awaitWaitingUnless(c::waiting, 2, givesUp);
                if (!scene) {
                    assertFalse(givesUp.get(60, TimeUnit.SECONDS));
                    awaitWaiting(c::waiting, 1); // the live one alone
                    c.acquire();
                    c.signal();
                    c.release();
                    assertTrue(live.get(60, TimeUnit.SECONDS));
                    continue;
                }
                c.acquire();
                try {
                    awaitWaiting(c::waiting, 1); // the older waiter's deadline passed while this thread holds the lock: it withdrew without the lock
                    c.signal();
                } finally {
                    c.release();
                }
                assertFalse(givesUp.get(60, TimeUnit.SECONDS), "the waiter that timed out absorbed the signal");
                assertTrue(live.get(60, TimeUnit.SECONDS), "the live waiter was not woken");
                assertEquals(0, c.waiting());
                return;
            }
        }
    }

    @Test
    void a_waiter_interrupted_while_the_signaller_holds_the_lock_throws_and_absorbs_no_signal() throws Exception {
        try (Condition c = new Condition()) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<String> interrupted = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                return awaitReporting(c);
            }, r -> new Thread(r).start());
            awaitWaiting(c::waiting, 1);
            CompletableFuture<Boolean> live = waitInThread(c, HANG); // the younger waiter
            awaitWaiting(c::waiting, 2);
            c.acquire();
            try {
                thread.get().interrupt();
                awaitWaiting(c::waiting, 1); // it withdrew without the lock, before taking it back
                c.signal();
            } finally {
                c.release();
            }
            assertEquals("InterruptedException", interrupted.get(60, TimeUnit.SECONDS));
            assertTrue(live.get(60, TimeUnit.SECONDS), "the live waiter was not woken");
            assertEquals(0, c.waiting());
        }
    }

    @Test
    void a_child_waiter_whose_timeout_passes_while_the_signaller_holds_the_lock_absorbs_no_signal() throws Exception {
        for (Duration givesUpAfter = GIVES_UP; ; givesUpAfter = givesUpAfter.multipliedBy(4)) {
            assertTrue(givesUpAfter.compareTo(GIVES_UP_LIMIT) <= 0, "the child waiter always gave up before the second waited");
            Duration timeout = givesUpAfter;
            try (Lock lock = new Lock(); Condition c = new Condition(lock); Queue<String> out = new Queue<>()) {
                Process givesUp = new Process(checked(() -> {
                    c.acquire();
                    try {
                        out.put("waiter that gave up: " + c.await(timeout));
                    } finally {
                        c.release();
                    }
                }));
                // the older waiter's deadline passes while this process holds the lock (the wait for its withdrawal)
                if (signalOnceWhileAChildGivesUp(c, out, givesUp, () -> { }, List.of("live waiter: true", "waiter that gave up: false"))) {
                    return;
                }
            }
        }
    }

    @Test
    void a_child_waiter_interrupted_while_the_signaller_holds_the_lock_throws_and_absorbs_no_signal() throws Exception {
        try (Condition c = new Condition(); Queue<String> out = new Queue<>(); Event interrupt = new Event()) {
            Process interrupted = new Process(checked(() -> {
                Thread waiter = Thread.currentThread();
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        interrupt.await();
                        waiter.interrupt();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                out.put("interrupted waiter: " + awaitReporting(c));
            }));
            assertTrue(signalOnceWhileAChildGivesUp(c, out, interrupted, interrupt::set,
                    List.of("interrupted waiter: InterruptedException", "live waiter: true")), "it gave up by itself");
        }
    }

    /** Something done while the test holds the lock, that may throw. */
    private interface WhileHeld {
        void run() throws Exception;
    }

    /**
     * The scene of the two child tests above: {@code givesUp} (a child that waits on {@code c} and puts its
     * outcome in {@code out}) waits first, a live child waiter second; then this process takes the lock, makes the
     * first give up ({@code whileHeld}), waits until it withdrew, signals once and lets go. Asserts the two
     * outcomes ({@code expected}, sorted), both children's normal ends, and that nobody is left waiting.
     * Returns false, asserting nothing of the outcomes, if {@code givesUp} ended its wait before the live waiter
     * waited (its timeout passed too early: the scene was not set).
     */
    private static boolean signalOnceWhileAChildGivesUp(Condition c, Queue<String> out, Process givesUp, WhileHeld whileHeld,
            List<String> expected) throws Exception {
        try (Event liveReady = new Event(); Event goLive = new Event()) {
            Process live = new Process(checked(() -> {
                liveReady.set();
                goLive.await();
                c.acquire();
                try {
                    out.put("live waiter: " + c.await(HANG));
                } finally {
                    c.release();
                }
            }));
            live.start();
            assertTrue(liveReady.await(HANG));
            givesUp.start();
            boolean scene = awaitWaitingUnless(c::waiting, 1, givesUp::isAlive);
            goLive.set(); // the younger waiter, from a JVM already running
            if (!(scene && awaitWaitingUnless(c::waiting, 2, givesUp::isAlive))) {
                givesUp.join(HANG);
                assertEquals(0, givesUp.exitCode());
                awaitWaiting(c::waiting, 1); // the live one alone
                c.acquire();
                c.signal();
                c.release();
                live.join(HANG);
                assertEquals(0, live.exitCode());
                return false;
            }
            c.acquire();
            try {
                whileHeld.run();
                awaitWaiting(c::waiting, 1); // it withdrew without the lock, before taking it back
                c.signal();
            } finally {
                c.release();
            }
            assertEquals(expected, twoSorted(out));
            for (Process p : List.of(live, givesUp)) {
                p.join(HANG);
                assertEquals(0, p.exitCode());
            }
            assertEquals(0, c.waiting());
            return true;
        }
    }

    @Test
    void a_thread_that_did_not_acquire_a_plain_lock_can_neither_wait_nor_signal_and_leaves_it_held() throws Exception {
        try (Lock lock = new Lock(); Condition c = new Condition(lock)) {
            lock.acquire();
            try {
                CompletableFuture<List<String>> other = CompletableFuture.supplyAsync(() -> {
                    List<String> thrown = new ArrayList<>();
                    for (Callable<?> call : List.<Callable<?>>of(() -> c.await(SHORT), () -> {
                        c.await();
                        return null;
                    }, () -> {
                        c.signal();
                        return null;
                    }, () -> {
                        c.signalAll();
                        return null;
                    })) {
                        try {
                            call.call();
                            thrown.add("returned");
                        } catch (Exception e) {
                            thrown.add(e.getClass().getSimpleName());
                        }
                    }
                    return thrown;
                }, r -> new Thread(r).start());
                assertEquals(List.of("IllegalMonitorStateException", "IllegalMonitorStateException", "IllegalMonitorStateException",
                        "IllegalMonitorStateException"), other.get(60, TimeUnit.SECONDS));
                assertTrue(lock.isLocked(), "a non-holder's wait released the lock");
                c.signal(); // the thread that acquired it may
                assertFalse(c.await(SHORT));
            } finally {
                lock.release();
            }
        }
    }

    @Test
    void a_process_whose_threads_did_not_acquire_a_plain_lock_a_child_holds_can_neither_wait_nor_signal() throws Exception {
        try (Lock lock = new Lock(); Condition c = new Condition(lock); Event held = new Event(); Event done = new Event()) {
            Process holder = new Process(checked(() -> {
                lock.acquire();
                held.set();
                done.await();
                lock.release(); // throws if a wait of the parent released it meanwhile
            }));
            holder.start();
            try {
                assertTrue(held.await(HANG));
                assertThrows(IllegalMonitorStateException.class, () -> c.await(SHORT));
                assertThrows(IllegalMonitorStateException.class, c::signal);
                assertTrue(lock.isLocked(), "a non-holder's wait released the child's lock");
                assertEquals(holder.pid().orElseThrow(), lock.ownerPid());
            } finally {
                done.set();
            }
            holder.join(HANG);
            assertEquals(0, holder.exitCode(), "the child could not release its lock");
        }
    }

    @Test
    void a_manager_condition_over_a_lock_acquired_through_the_callers_own_lock_object_can_be_waited_on() throws Exception {
        try (Manager manager = Manager.start()) {
            Lock lock = manager.lock();
            Condition c = manager.condition(lock); // NOTE: the manager sends the condition back with its own copy of lock
            lock.acquire();
            try {
                assertFalse(c.await(SHORT), "nobody signals: the wait times out, it does not refuse");
                c.signal();
                assertTrue(lock.isLocked(), "the wait took the lock back");
            } finally {
                lock.release();
            }
            assertThrows(IllegalMonitorStateException.class, () -> c.await(SHORT), "not held at all");
        }
    }

    /** Waits on {@code c} (its lock taken and given back here); says whether it returned or threw InterruptedException. */
    private static String awaitReporting(Condition c) {
        try {
            c.acquire();
            try {
                c.await();
                return "returned, interrupt status " + Thread.interrupted();
            } catch (InterruptedException e) {
                return "InterruptedException";
            } finally {
                c.release();
            }
        } catch (InterruptedException e) {
            return "interrupted before waiting";
        }
    }

    private static List<String> twoSorted(Queue<String> out) throws InterruptedException {
        List<String> got = new ArrayList<>(List.of(out.get(HANG), out.get(HANG)));
        got.sort(null);
        return got;
    }

    private static CompletableFuture<Boolean> waitInThread(Condition c) {
        return waitInThread(c, HANG);
    }

    private static CompletableFuture<Boolean> waitInThread(Condition c, Duration timeout) {
        Callable<Boolean> body = () -> {
            c.acquire();
            try {
                return c.await(timeout);
            } finally {
                c.release();
            }
        };
        return CompletableFuture.supplyAsync(() -> {
            try {
                return body.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
    }

    /** As {@link #awaitWaiting}, but false once {@code waiter} has ended its wait (then {@code n} may never come). */
    private static boolean awaitWaitingUnless(IntSupplier waiting, int n, CompletableFuture<?> waiter) throws InterruptedException {
        return awaitWaitingUnless(waiting, n, () -> !waiter.isDone());
    }

    /** As {@link #awaitWaiting}, but false once {@code stillWaiting} is false (then {@code n} may never come). */
    private static boolean awaitWaitingUnless(IntSupplier waiting, int n, java.util.function.BooleanSupplier stillWaiting)
            throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (waiting.getAsInt() != n) {
            if (!stillWaiting.getAsBoolean()) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " waiters, saw " + waiting.getAsInt());
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static void awaitWaiting(IntSupplier waiting, int n) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (waiting.getAsInt() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " waiters, saw " + waiting.getAsInt());
            }
            Thread.sleep(10);
        }
    }
}
