package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Corners of the synchronization primitives found by probing: waits that end abnormally, recovery. */
class SyncRecoveryCornersTest extends ChildProcessTestBase {

    /** What a waiter saw: the exception its wait threw, and whether it held the lock right after. */
    private record Outcome(Throwable thrown, boolean heldAfter) {
    }

    /** Waits until {@code condition} has a waiter that gave up its lock (within {@link #HANG}). */
    private static void awaitWaiter(Condition condition, BooleanSupplier locked) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        // NOTE: registered, then the lock released: the waiter is past its registration, in (or entering) its sleep
        while (condition.waiting() != 1 || locked.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the waiter did not start waiting");
            Thread.sleep(5);
        }
    }

    /**
     * The class doc of {@link Condition}: "Every wait releases the lock entirely (all holds of an RLock) and
     * takes it back before returning or throwing, whatever the outcome" (and {@code java.util.concurrent.locks
     * .Condition}: "before this method can return the current thread must re-acquire the lock"). A condition
     * over the caller's lock, closed under a waiter, made the waiter throw {@link IllegalStateException}
     * without taking the lock back: its {@code finally { lock.release(); }} then released a hold of another
     * thread or process (a plain {@code Lock} may be released by anyone), or threw for an {@code RLock}.
     */
    @Test
    void a_waiter_whose_condition_over_the_callers_lock_is_closed_under_it_throws_holding_the_lock_again() throws Exception {
        try (Lock lock = new Lock(); RLock rlock = new RLock()) {
            Condition overLock = new Condition(lock);
            CompletableFuture<Outcome> plain = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    lock.acquire();
                    overLock.await();
                    plain.complete(new Outcome(null, lock.acquiredByCurrentThread()));
                } catch (Throwable e) {
                    plain.complete(new Outcome(e, lock.acquiredByCurrentThread()));
                }
            });
            awaitWaiter(overLock, lock::isLocked);
            overLock.close();
            Outcome o = plain.get(HANG.toSeconds(), TimeUnit.SECONDS);
            t.join();
            assertTrue(o.thrown() instanceof IllegalStateException, String.valueOf(o.thrown()));
            assertTrue(o.heldAfter(), "the waiter holds the lock again after its wait threw");
            lock.release();

            Condition overRLock = new Condition(rlock);
            CompletableFuture<Outcome> reentrant = new CompletableFuture<>();
            Thread r = Thread.ofPlatform().start(() -> {
                try {
                    rlock.acquire();
                    rlock.acquire();
                    overRLock.await();
                    reentrant.complete(new Outcome(null, rlock.getHoldCount() == 2));
                } catch (Throwable e) {
                    reentrant.complete(new Outcome(e, rlock.getHoldCount() == 2));
                } finally {
                    while (rlock.isHeldByCurrentThread()) {
                        rlock.release();
                    }
                }
            });
            awaitWaiter(overRLock, rlock::isLocked);
            overRLock.close();
            o = reentrant.get(HANG.toSeconds(), TimeUnit.SECONDS);
            r.join();
            assertTrue(o.thrown() instanceof IllegalStateException, String.valueOf(o.thrown()));
            assertTrue(o.heldAfter(), "the waiter holds both holds of the rlock again after its wait threw");
            assertEquals(false, rlock.isLocked());
        }
    }

    /**
     * The class doc of {@link Condition}: "Calling any of these without holding the lock throws
     * IllegalMonitorStateException", as {@code await(Duration.ZERO)} does; CPython's {@code wait_for(pred, 0)}
     * with a false predicate calls {@code wait(0)}, which raises for a lock not held. {@code waitFor} with a
     * zero or negative timeout and a false predicate returned false without looking at the lock.
     */
    @Test
    void waitFor_with_no_time_left_and_a_false_predicate_throws_when_the_lock_is_not_held() throws Exception {
        try (Condition condition = new Condition(); Lock lock = new Lock(); Condition overLock = new Condition(lock)) {
            assertThrows(IllegalMonitorStateException.class, () -> condition.await(Duration.ZERO), "await, as a reference");
            assertThrows(IllegalMonitorStateException.class, () -> condition.waitFor(() -> false, Duration.ZERO));
            assertThrows(IllegalMonitorStateException.class, () -> condition.waitFor(() -> false, Duration.ofSeconds(-1)));
            assertThrows(IllegalMonitorStateException.class, () -> overLock.waitFor(() -> false, Duration.ZERO));
            condition.acquire();
            try {
                assertFalse(condition.waitFor(() -> false, Duration.ZERO), "held: the predicate's last value");
            } finally {
                condition.release();
            }
        }
    }
}
