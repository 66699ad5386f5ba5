package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.futex.Membarrier;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The bias of a {@link BiasedLock} between threads of this process: earned by holds in a row, revoked by
 * another thread (who waits for a biased hold to end), never a second hold for its own thread, released
 * by any thread, and a dead bias holder recovered. Across processes: LockTest and the sync stress runs.
 */
class BiasedLockTest {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(60);
    private final MemorySegment memory = Arena.ofAuto().allocate(128, 8);
    private final BiasedLock lock = new BiasedLock(memory, 0);

    @BeforeEach
    void biasesNeedTheBarrier() {
        assumeTrue(Membarrier.REGISTERED, "this kernel or configuration offers no membarrier: locks are never biased");
    }

    @Test
    void a_thread_taking_the_lock_alone_earns_the_bias_and_keeps_it() throws Exception {
        assertFalse(lock.isBiased());
        earnBias();
        assertTrue(lock.isBiased());
        assertTrue(lock.tryLockFree());
        assertTrue(lock.isLocked());
        assertTrue(lock.isHeldByThisProcess());
        assertEquals(ProcessStamp.self().pid(), lock.ownerPid());
        assertEquals(0L, memory.get(JAVA_LONG, 0), "a biased hold leaves the owner word free");
        lock.unlock();
        assertFalse(lock.isLocked());
        assertTrue(lock.isBiased());
    }

    @Test
    void another_thread_revokes_the_bias_and_waits_for_the_biased_hold_to_end() throws Exception {
        earnBias();
        assertTrue(lock.tryLockFree());
        CompletableFuture<RobustLock.Acquired> other = onAnotherThread(() -> lock.lock(System.nanoTime() + LONG_WAIT, true));
        Thread.sleep(100);
        assertFalse(other.isDone(), "took the lock while its bias thread held it");
        lock.unlock();
        assertEquals(RobustLock.Acquired.ACQUIRED, other.get(60, TimeUnit.SECONDS));
        assertFalse(lock.isBiased());
        assertEquals(1, lock.revocations());
        assertFalse(lock.tryLockFree(), "held by the other thread");
        lock.unlock();
        assertTrue(lock.tryLockFree());
        lock.unlock();
    }

    @Test
    void a_try_once_by_another_thread_revokes_a_bias_whose_thread_does_not_hold_it() throws Exception {
        earnBias();
        assertEquals(RobustLock.Acquired.ACQUIRED, onAnotherThread(lock::tryLock).get(60, TimeUnit.SECONDS));
        assertFalse(lock.isBiased());
        assertFalse(lock.tryLockFree());
        lock.unlock();
    }

    @Test
    void the_bias_is_earned_again_only_after_a_longer_streak() throws Exception {
        earnBias();
        onAnotherThread(() -> {
            lock.lock(System.nanoTime() + LONG_WAIT, true);
            lock.unlock();
            return null;
        }).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < BiasedLock.FIRST_STREAK + 1; i++) {
            assertTrue(lock.tryLockFree());
            lock.unlock();
        }
        assertFalse(lock.isBiased(), "a streak of the first length after a revocation");
        earnBias();
        assertTrue(lock.isBiased());
    }

    @Test
    void its_bias_thread_cannot_take_the_lock_twice() throws Exception {
        earnBias();
        assertTrue(lock.tryLockFree());
        assertFalse(lock.tryLockFree());
        assertEquals(RobustLock.Acquired.TIMED_OUT, lock.tryLock());
        assertEquals(RobustLock.Acquired.TIMED_OUT, lock.lock(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), true));
        assertTrue(lock.isLocked());
        lock.unlock();
        assertFalse(lock.isLocked());
        assertFalse(lock.tryLockFree(), "the fast path declines while the timed-out revocation is unfinished");
        assertEquals(RobustLock.Acquired.ACQUIRED, lock.tryLock(), "a slow take finishes it");
        assertFalse(lock.isBiased());
        lock.unlock();
    }

    @Test
    void a_biased_hold_is_released_by_another_thread() throws Exception {
        earnBias();
        assertTrue(lock.tryLockFree());
        assertTrue(onAnotherThread(lock::releaseIfHeld).get(60, TimeUnit.SECONDS));
        assertFalse(lock.isLocked());
        assertFalse(lock.releaseIfHeld());
    }

    @Test
    void threads_incrementing_under_the_lock_while_it_is_biased_and_revoked_lose_no_update() throws Exception {
        int perThread = 200_000;
        Runnable body = () -> {
            for (int i = 0; i < perThread; i++) {
                try {
                    if (!lock.tryLockFree()) {
                        lock.lock(System.nanoTime() + LONG_WAIT, false);
                    }
                } catch (InterruptedException cannotHappen) {
                    throw new AssertionError(cannotHappen);
                }
                memory.set(JAVA_LONG, 64, memory.get(JAVA_LONG, 64) + 1);
                lock.unlock();
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(body, r -> new Thread(r).start());
        CompletableFuture<Void> b = CompletableFuture.runAsync(body, r -> new Thread(r).start());
        a.get(120, TimeUnit.SECONDS);
        b.get(120, TimeUnit.SECONDS);
        assertEquals(2L * perThread, memory.get(JAVA_LONG, 64));
        assertFalse(lock.isLocked());
    }

    @Test
    void a_bias_holder_that_died_holding_the_lock_is_taken_over() throws Exception {
        java.lang.Process done = new ProcessBuilder("true").start();
        ProcessStamp dead = ProcessStamp.of(done.toHandle());
        done.waitFor();
        memory.set(JAVA_INT, 16, 1); // ACTIVE
        memory.set(JAVA_INT, 20, 1); // held through the bias
        memory.set(JAVA_LONG, 24, OwnerWord.of(dead));
        memory.set(JAVA_INT, 32, 1);
        assertTrue(lock.isLocked());
        assertEquals(dead.pid(), lock.ownerPid());
        assertEquals(RobustLock.Acquired.RECOVERED, lock.lock(System.nanoTime() + LONG_WAIT, true));
        assertEquals(dead.pid(), lock.lastDeadOwnerPid());
        assertEquals(ProcessStamp.self().pid(), lock.ownerPid());
        assertFalse(lock.isBiased());
        lock.unlock();
        earnBias();
        assertTrue(lock.isBiased(), "the dead process's bias identity passes to a live thread");
    }

    private void earnBias() {
        for (int i = 0; i < 1 << 20 && !lock.isBiased(); i++) {
            if (!lock.tryLockFree()) {
                throw new AssertionError("an uncontended take failed");
            }
            lock.unlock();
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> CompletableFuture<T> onAnotherThread(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        new Thread(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).start();
        return result;
    }
}
