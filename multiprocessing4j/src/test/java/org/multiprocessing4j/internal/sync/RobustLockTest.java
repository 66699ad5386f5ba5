package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * Who owns a {@link RobustLock} word and when a waiter may take it over (never from a live owner; always
 * from a dead one, including one whose pid now names another process, this one too); interrupts undo the
 * waiter registration; reentrant holds belong to one thread.
 */
class RobustLockTest {
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(100);
    private final MemorySegment memory = Arena.ofAuto().allocate(64, 8);
    private final RobustLock lock = new RobustLock(memory, 0);

    @Test
    void a_free_lock_is_taken_and_released() throws Exception {
        assertEquals(RobustLock.Acquired.ACQUIRED, lock.lock(System.nanoTime(), true));
        assertEquals(ProcessStamp.self().pid(), lock.ownerPid());
        lock.unlock();
        assertEquals(0, lock.ownerPid());
        assertFalse(lock.releaseIfHeld());
    }

    @Test
    void a_live_owner_keeps_the_lock() throws Exception {
        java.lang.Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessStamp stamp = ProcessStamp.of(sleeper.toHandle());
            own(stamp.pid(), stamp.startMillis());
            assertEquals(RobustLock.Acquired.TIMED_OUT, lock.lock(System.nanoTime() + SHORT, true));
            assertEquals(RobustLock.Acquired.TIMED_OUT, lock.tryLock());
            assertEquals(stamp.pid(), lock.ownerPid());
            assertEquals(0, waiters(), "the timed-out waiter is no longer registered");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void a_dead_owner_is_taken_over_even_by_a_try_once() throws Exception {
        java.lang.Process done = new ProcessBuilder("true").start();
        ProcessStamp stamp = ProcessStamp.of(done.toHandle());
        done.waitFor();
        own(stamp.pid(), stamp.startMillis());
        assertEquals(RobustLock.Acquired.RECOVERED, lock.tryLock());
        assertEquals(ProcessStamp.self().pid(), lock.ownerPid());
        assertEquals(stamp.pid(), lock.lastDeadOwnerPid());
    }

    @Test
    void an_owner_whose_pid_this_process_now_has_is_dead() throws Exception {
        ProcessStamp self = ProcessStamp.self();
        own(self.pid(), self.startMillis() - 86_400_000L); // same pid, started a day earlier: another process
        assertEquals(RobustLock.Acquired.RECOVERED, lock.lock(System.nanoTime(), true));
    }

    @Test
    void this_process_holding_the_lock_is_never_taken_over() throws Exception {
        assertEquals(RobustLock.Acquired.ACQUIRED, lock.tryLock());
        assertEquals(RobustLock.Acquired.TIMED_OUT, lock.tryLock());
        assertEquals(RobustLock.Acquired.TIMED_OUT, lock.lock(System.nanoTime() + SHORT, true));
    }

    @Test
    void an_interrupted_waiter_throws_and_leaves_no_registration() throws Exception {
        lock.tryLock();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                lock.lock(System.nanoTime() + TimeUnit.SECONDS.toNanos(60), true);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
        awaitWaiters(1);
        waiter.get().interrupt();
        assertTrue(outcome.get(60, TimeUnit.SECONDS) instanceof InterruptedException);
        assertEquals(0, waiters());
        assertEquals(ProcessStamp.self().pid(), lock.ownerPid(), "still held by this process");
    }

    @Test
    void an_uninterruptible_waiter_keeps_waiting_and_returns_with_its_interrupt_status() throws Exception {
        lock.tryLock();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Boolean> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                lock.lock(System.nanoTime() + TimeUnit.SECONDS.toNanos(60), false);
                return Thread.currentThread().isInterrupted();
            } catch (InterruptedException e) {
                return false;
            }
        }, r -> new Thread(r).start());
        awaitWaiters(1);
        waiter.get().interrupt();
        Thread.sleep(100);
        assertFalse(outcome.isDone());
        lock.unlock();
        assertTrue(outcome.get(60, TimeUnit.SECONDS), "acquired with the interrupt status set");
        lock.unlock();
    }

    @Test
    void a_reentrant_lock_counts_holds_of_one_thread_and_refuses_others() throws Exception {
        ReentrantRobustLock r = new ReentrantRobustLock(memory, 0);
        r.lock(System.nanoTime(), true);
        r.lock(System.nanoTime(), true);
        assertEquals(2, r.holdCount());
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
            try {
                r.unlock();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, x -> new Thread(x).start());
        assertTrue(other.get(60, TimeUnit.SECONDS) instanceof IllegalMonitorStateException);
        CompletableFuture<RobustLock.Acquired> taker = CompletableFuture.supplyAsync(r::tryLock, x -> new Thread(x).start());
        assertEquals(RobustLock.Acquired.TIMED_OUT, taker.get(60, TimeUnit.SECONDS));
        r.unlock();
        assertTrue(r.isLocked());
        r.unlock();
        assertFalse(r.isLocked());
        assertThrows(IllegalMonitorStateException.class, r::unlock);
    }

    @Test
    void a_misaligned_or_outside_region_is_refused_naming_the_offset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RobustLock(memory, 4));
        assertTrue(e.getMessage().contains("offset 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RobustLock(memory, 56));
    }

    private void awaitWaiters(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (waiters() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " waiters");
            }
            Thread.sleep(5);
        }
        Thread.sleep(50);
    }

    private int waiters() {
        return memory.get(JAVA_INT, 8);
    }

    /** Records {@code pid} started at {@code startMillis} as the owner, as its CAS would have. */
    private void own(long pid, long startMillis) {
        memory.set(JAVA_LONG, 0, OwnerWord.of(new ProcessStamp(pid, startMillis)));
    }
}
