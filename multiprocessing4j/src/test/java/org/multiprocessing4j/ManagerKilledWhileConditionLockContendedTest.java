package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A wait on a manager's {@link Condition} whose manager is killed while another thread holds the condition's
 * lock: the waiter takes the lock back once that thread releases it, as after any wait, whether it was
 * signalled before the death (it returns normally) or its wait ended with {@link ManagerUnavailableException}
 * (thrown with the lock held). Before, its retake failed on the dead manager's watch, so it returned without
 * the lock and the caller's release in its finally block threw {@link IllegalMonitorStateException}.
 */
class ManagerKilledWhileConditionLockContendedTest extends ChildProcessTestBase {
    /** Several futex slices (at most 100 ms each): time for a retake that ends with the manager to do so. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rlock", "lock"})
    void a_signalled_waiter_retaking_a_held_lock_gets_it_after_the_manager_died(String lockKind) throws Exception {
        onAManagersCondition(lockKind, (manager, condition) -> {
            Thread[] t = new Thread[1];
            CompletableFuture<Throwable> wait = waiterInThread(condition, t);
            condition.acquire();
            condition.signal();
            awaitAsleepRetakingTheLock(t[0]);
            ManagerKilledUnderSyncWaitersTest.killed(manager);
            Throwable early = within(wait, GRACE);
            condition.release();
            assertNull(early, "the waiter ended while the lock was still held elsewhere");
            assertNull(wait.get(HANG.toSeconds(), TimeUnit.SECONDS), "signalled before the manager died: the wait returns "
                    + "normally with the lock taken back");
            assertEquals(0, condition.waiting(), "the wait left its slot registered");
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rlock", "lock"})
    void a_wait_ended_by_the_managers_death_takes_back_a_held_lock_before_it_throws(String lockKind) throws Exception {
        onAManagersCondition(lockKind, (manager, condition) -> {
            Thread[] t = new Thread[1];
            CompletableFuture<Throwable> wait = waiterInThread(condition, t);
            condition.acquire();
            ManagerKilledUnderSyncWaitersTest.killed(manager);
            Throwable early = within(wait, GRACE);
            condition.release();
            assertNull(early, "the waiter ended while the lock was still held elsewhere");
            Throwable w = wait.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(ManagerUnavailableException.class, w, "the wait took the lock back, so the release in the "
                    + "finally block did not throw over it");
            assertEquals(0, w.getSuppressed().length, Arrays.toString(w.getSuppressed()));
            assertEquals(0, condition.waiting(), "the ended wait left its slot registered");
        });
    }

    /** A test body given a started manager and a condition it made. */
    @FunctionalInterface
    private interface ConditionBody {
        void run(Manager manager, Condition condition) throws Exception;
    }

    /**
     * Runs {@code body} on a manager's condition over its own RLock ({@code "rlock"}) or over a manager's
     * {@link Lock} ({@code "lock"}); closes them after, and removes the files a killed manager left.
     */
    private static void onAManagersCondition(String lockKind, ConditionBody body) throws Exception {
        Set<Path> before = thisTreesShmFiles();
        Manager manager = Manager.start();
        try {
            Lock lock = lockKind.equals("lock") ? manager.lock() : null; // null: the condition's own RLock
            Condition condition = lock == null ? manager.condition() : manager.condition(lock);
            body.run(manager, condition);
            condition.close();
            if (lock != null) {
                lock.close();
            }
        } finally {
            manager.close();
            ManagerKilledUnderSyncWaitersTest.removeNewFiles(before);
        }
    }

    /**
     * A wait ended by the manager's death gives up its slot before it waits to take the lock back, as one whose
     * timeout passed does: a signal sent meanwhile goes to a live waiter, not to it.
     */
    @Test
    void a_wait_ended_by_the_managers_death_absorbs_no_signal_while_it_waits_for_the_lock() throws Exception {
        Set<Path> before = thisTreesShmFiles();
        Manager manager = Manager.start();
        try {
            Condition condition = manager.condition();
            Thread[] t = new Thread[1];
            CompletableFuture<Throwable> wait = waiterInThread(condition, t);
            condition.acquire();
            try {
                ManagerKilledUnderSyncWaitersTest.killed(manager);
                awaitAsleepRetakingTheLock(t[0]); // NOTE: its wait on the condition has ended
                assertEquals(0, condition.waiting(), "a wait that ended still takes signals");
            } finally {
                condition.release();
            }
            assertInstanceOf(ManagerUnavailableException.class, wait.get(HANG.toSeconds(), TimeUnit.SECONDS));
            condition.close();
        } finally {
            manager.close();
            ManagerKilledUnderSyncWaitersTest.removeNewFiles(before);
        }
    }

    /** A thread that waits on {@code condition} inside acquire/finally-release, once asleep in the wait. */
    private static CompletableFuture<Throwable> waiterInThread(Condition condition, Thread[] started) throws InterruptedException {
        return ManagerKilledUnderSyncWaitersTest.inThread(() -> {
            condition.acquire();
            try {
                condition.await();
            } finally {
                condition.release(); // NOTE: held again whatever the wait's outcome (the class's promise)
            }
        }, started);
    }

    /** Waits until {@code t} sleeps in a futex wait of the lock (not of the condition). */
    private static void awaitAsleepRetakingTheLock(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        for (;;) {
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i + 1 < stack.length; i++) {
                if (stack[i].getMethodName().equals("await") && stack[i].getClassName().endsWith(".Futex")
                        && stack[i + 1].getClassName().endsWith(".RobustLock")) {
                    return;
                }
            }
            assertTrue(t.isAlive(), "the waiter ended before it slept retaking the lock");
            assertTrue(System.nanoTime() < deadline, "the waiter never slept retaking the lock");
            Thread.sleep(10);
        }
    }

    /** What {@code outcome} holds if it completes within {@code grace}; null if it does not. */
    private static Throwable within(CompletableFuture<Throwable> outcome, Duration grace) throws Exception {
        try {
            Throwable e = outcome.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return e == null ? new AssertionError("returned") : e;
        } catch (TimeoutException stillWaiting) {
            return null;
        }
    }
}
