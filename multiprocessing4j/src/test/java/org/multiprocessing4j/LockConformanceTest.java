package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link java.util.concurrent.locks.Lock} and {@link Condition} conformance of {@link Lock} and
 * {@link RLock}, in the spirit of the JSR-166 TCK's ReentrantLockTest: threads of one JVM, the
 * interface's contract only (lock, tryLock, timed tryLock, lockInterruptibly, interrupts, newCondition).
 */
class LockConformanceTest {
    private static final long SHORT_MILLIS = 50;
    private static final long LONG_SECONDS = 60;
    private AutoCloseable toClose;
    private AutoCloseable conditionToClose;

    private java.util.concurrent.locks.Lock lock(String kind) {
        java.util.concurrent.locks.Lock lock = kind.equals("Lock") ? new Lock() : new RLock();
        toClose = (AutoCloseable) lock;
        return lock;
    }

    private Condition condition(java.util.concurrent.locks.Lock lock) {
        Condition c = lock.newCondition();
        conditionToClose = (AutoCloseable) c;
        return c;
    }

    @AfterEach
    void close() throws Exception {
        if (conditionToClose != null) {
            conditionToClose.close();
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void lock_then_unlock_frees_it(String kind) {
        java.util.concurrent.locks.Lock lock = lock(kind);
        lock.lock();
        assertFalse(inOtherThread(lock::tryLock));
        lock.unlock();
        assertTrue(inOtherThread(() -> {
            boolean taken = lock.tryLock();
            lock.unlock();
            return taken;
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void timed_tryLock_gives_up_after_at_least_its_timeout_when_held_elsewhere(String kind) {
        java.util.concurrent.locks.Lock lock = lock(kind);
        lock.lock();
        assertTrue(inOtherThread(() -> {
            long start = System.nanoTime();
            boolean taken = lock.tryLock(SHORT_MILLIS, TimeUnit.MILLISECONDS);
            return !taken && System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(SHORT_MILLIS);
        }));
        lock.unlock();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void lockInterruptibly_throws_when_interrupted_while_waiting(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        lock.lock();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            started.countDown();
            try {
                lock.lockInterruptibly();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
        started.await();
        Thread.sleep(SHORT_MILLIS);
        waiter.get().interrupt();
        assertTrue(outcome.get(LONG_SECONDS, TimeUnit.SECONDS) instanceof InterruptedException);
        lock.unlock();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void interruptible_forms_throw_when_the_thread_is_already_interrupted_even_if_the_lock_is_free(String kind) {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, lock::lockInterruptibly);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> lock.tryLock(LONG_SECONDS, TimeUnit.SECONDS));
        assertFalse(Thread.interrupted());
        assertTrue(lock.tryLock(), "the lock stayed free");
        lock.unlock();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void lock_is_not_interruptible_and_keeps_the_interrupt_status(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        lock.lock();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Boolean> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            lock.lock();
            boolean interrupted = Thread.currentThread().isInterrupted();
            lock.unlock();
            return interrupted;
        }, r -> new Thread(r).start());
        while (waiter.get() == null) {
            Thread.sleep(1);
        }
        Thread.sleep(SHORT_MILLIS);
        waiter.get().interrupt();
        Thread.sleep(SHORT_MILLIS);
        assertFalse(outcome.isDone(), "lock() ended on interrupt");
        lock.unlock();
        assertTrue(outcome.get(LONG_SECONDS, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void unlock_of_a_free_lock_throws(String kind) {
        java.util.concurrent.locks.Lock lock = lock(kind);
        RuntimeException e = assertThrows(RuntimeException.class, lock::unlock);
        assertTrue(kind.equals("Lock") ? e instanceof IllegalStateException : e instanceof IllegalMonitorStateException, e.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void a_condition_await_returns_after_a_signal_from_another_thread(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Condition c = condition(lock);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> awaiter = CompletableFuture.runAsync(() -> {
            lock.lock();
            try {
                waiting.countDown();
                c.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                lock.unlock();
            }
        }, r -> new Thread(r).start());
        waiting.await();
        lock.lock(); // the awaiter has released it inside await
        c.signal();
        lock.unlock();
        awaiter.get(LONG_SECONDS, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void condition_timed_waits_time_out_with_the_lock_held_again(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Condition c = condition(lock);
        lock.lock();
        try {
            assertTrue(c.awaitNanos(TimeUnit.MILLISECONDS.toNanos(SHORT_MILLIS)) <= 0);
            assertFalse(c.await(SHORT_MILLIS, TimeUnit.MILLISECONDS));
            assertFalse(c.awaitUntil(new Date(System.currentTimeMillis() + SHORT_MILLIS)));
            assertFalse(inOtherThread(lock::tryLock), "the lock is held again after each wait");
        } finally {
            lock.unlock();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void condition_methods_without_the_lock_throw_IllegalMonitorStateException(String kind) {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Condition c = condition(lock);
        assertThrows(IllegalMonitorStateException.class, c::await);
        assertThrows(IllegalMonitorStateException.class, c::signal);
        assertThrows(IllegalMonitorStateException.class, c::signalAll);
        assertThrows(IllegalMonitorStateException.class, () -> c.awaitNanos(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void awaitUninterruptibly_ignores_an_interrupt_and_returns_on_signal_with_the_status_set(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Condition c = condition(lock);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            lock.lock();
            try {
                waiting.countDown();
                c.awaitUninterruptibly();
                return Thread.currentThread().isInterrupted();
            } finally {
                lock.unlock();
            }
        }, r -> new Thread(r).start());
        waiting.await();
        lock.lock();
        waiter.get().interrupt();
        lock.unlock();
        Thread.sleep(SHORT_MILLIS);
        assertFalse(outcome.isDone(), "awaitUninterruptibly ended on interrupt");
        lock.lock();
        c.signal();
        lock.unlock();
        assertTrue(outcome.get(LONG_SECONDS, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lock", "RLock"})
    void an_await_interrupted_before_a_signal_throws_and_holds_the_lock(String kind) throws Exception {
        java.util.concurrent.locks.Lock lock = lock(kind);
        Condition c = condition(lock);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            lock.lock();
            try {
                waiting.countDown();
                c.await();
                return "returned";
            } catch (InterruptedException e) {
                return "interrupted";
            } finally {
                lock.unlock(); // throws if the lock were not held again
            }
        }, r -> new Thread(r).start());
        waiting.await();
        lock.lock();
        lock.unlock();
        waiter.get().interrupt();
        assertEquals("interrupted", outcome.get(LONG_SECONDS, TimeUnit.SECONDS));
    }

    interface Check {
        boolean get() throws Exception;
    }

    /** Runs {@code check} in a new thread and returns its answer. */
    private static boolean inOtherThread(Check check) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return check.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()).get(LONG_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
