package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.QueueEmptyException;

/**
 * Interrupting a thread blocked in a cluster queue's take or put, a semaphore's acquire or a lock's wait:
 * the waiter gets {@link InterruptedException} (an uninterruptible {@code lock()} keeps waiting and keeps the
 * interrupt status), and no item, permit or lock is lost to the abandoned cluster call.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterInterruptTest {
    /** How long a check waits for something that must come (only turns a loss into a failure, not a timing claim). */
    private static final long ARRIVES_S = 10;
    private static MemberCluster cluster;
    private static ClusterData data;

    @BeforeAll
    static void startMembers() throws Exception {
        cluster = new MemberCluster(1, 1);
        data = cluster.workers.data();
    }

    @AfterAll
    static void stopMembers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String unique(String what) {
        return what + "-" + System.nanoTime();
    }

    /** Starts {@code body} on a thread, lets it block in its cluster call, interrupts it and returns what it threw. */
    private static Throwable interruptWhileBlocked(Blocking body) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().name("interrupted-waiter").start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        awaitBlocked(waiter);
        waiter.interrupt();
        waiter.join(MemberCluster.HANG.toMillis());
        assertFalse(waiter.isAlive(), "the interrupted waiter still waits");
        return thrown.get();
    }

    /** Waits until {@code t} parks, then a little longer so that its cluster call is parked on the member. */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(t.isAlive(), "the waiter ended before blocking");
            Thread.sleep(10);
        }
        Thread.sleep(500);
    }

    @FunctionalInterface
    private interface Blocking {
        void run() throws Exception;
    }

    @Test
    void interruptedTakeLosesNoItem() throws Exception {
        String name = unique("take");
        BlockingQueue<String> queue = data.queue(name);
        try {
            Throwable thrown = interruptWhileBlocked(() -> fail("take returned " + queue.take()));
            assertInstanceOf(InterruptedException.class, thrown);
            queue.put("item");
            assertEquals("item", queue.poll(ARRIVES_S, TimeUnit.SECONDS), "the item put after the interrupted take was lost");
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void interruptedTimedPollLosesNoItem() throws Exception {
        String name = unique("poll");
        BlockingQueue<String> queue = data.queue(name);
        try {
            Throwable thrown = interruptWhileBlocked(() -> fail("poll returned " + queue.poll(1, TimeUnit.HOURS)));
            assertInstanceOf(InterruptedException.class, thrown);
            queue.put("item");
            assertEquals("item", queue.poll(ARRIVES_S, TimeUnit.SECONDS), "the item put after the interrupted poll was lost");
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void interruptedPutOnFullQueueDoesNotArriveLater() throws Exception {
        Context ctx = cluster.workers.context();
        try (JoinableQueue<String> queue = ctx.joinableQueue(1)) {
            queue.put("first");
            Throwable thrown = interruptWhileBlocked(() -> queue.put("second"));
            assertEquals("first", queue.get());
            queue.taskDone();
            assertThrows(QueueEmptyException.class, () -> queue.get(Duration.ofSeconds(3)),
                    "the item of the interrupted put (which threw, so was not added) arrived later");
            assertInstanceOf(InterruptedException.class, thrown);
            queue.join(); // the count of the put that failed was taken back
        }
    }

    @Test
    void interruptedAcquireLosesNoPermit() throws Exception {
        String name = unique("sem");
        ClusterSemaphore semaphore = data.semaphore(name, 0);
        try {
            Throwable thrown = interruptWhileBlocked(() -> {
                semaphore.acquire();
                fail("acquire returned");
            });
            assertInstanceOf(InterruptedException.class, thrown);
            semaphore.release();
            assertTrue(semaphore.acquire(Duration.ofSeconds(ARRIVES_S)), "the permit released after the interrupted acquire was lost");
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void interruptedLockInterruptiblyLeavesTheLockFree() throws Exception {
        String name = unique("lock");
        Lock lock = data.lock(name);
        try {
            Holder holder = new Holder(lock::lock, lock::unlock);
            Throwable thrown;
            try {
                thrown = interruptWhileBlocked(() -> {
                    lock.lockInterruptibly();
                    fail("lockInterruptibly returned");
                });
            } finally {
                holder.release();
            }
            assertTrue(lock.tryLock(ARRIVES_S, TimeUnit.SECONDS), "the lock stayed held by the interrupted waiter");
            lock.unlock();
            assertInstanceOf(InterruptedException.class, thrown);
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void interruptedTimedTryLockLeavesTheLockFree() throws Exception {
        String name = unique("trylock");
        Lock lock = data.lock(name);
        try {
            Holder holder = new Holder(lock::lock, lock::unlock);
            Throwable thrown;
            try {
                thrown = interruptWhileBlocked(() -> fail("tryLock returned " + lock.tryLock(1, TimeUnit.HOURS)));
            } finally {
                holder.release();
            }
            assertTrue(lock.tryLock(ARRIVES_S, TimeUnit.SECONDS), "the lock stayed held by the interrupted waiter");
            lock.unlock();
            assertInstanceOf(InterruptedException.class, thrown);
        } finally {
            data.destroy(name);
        }
    }

    /** Also: an {@code unlock()} by an interrupted thread unlocks (the lock is free after). */
    @Test
    void uninterruptibleLockWaitsOnAndKeepsTheInterrupt() throws Exception {
        String name = unique("ulock");
        Lock lock = data.lock(name);
        try {
            Holder holder = new Holder(lock::lock, lock::unlock);
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            AtomicBoolean interruptedAfterUnlock = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch got = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    lock.lock();
                    interruptedAfter.set(Thread.currentThread().isInterrupted());
                    got.countDown();
                    lock.unlock(); // called interrupted: still unlocks, and keeps the status
                    interruptedAfterUnlock.set(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            awaitBlocked(waiter);
            waiter.interrupt();
            Thread.sleep(300);
            holder.release();
            waiter.join(MemberCluster.HANG.toMillis());
            assertNull(thrown.get(), () -> "lock() threw " + thrown.get());
            assertEquals(0, got.getCount(), "lock() did not return");
            assertTrue(interruptedAfter.get(), "lock() lost the interrupt status");
            assertTrue(interruptedAfterUnlock.get(), "unlock() lost the interrupt status");
            assertTrue(lock.tryLock(ARRIVES_S, TimeUnit.SECONDS));
            lock.unlock();
        } finally {
            data.destroy(name);
        }
    }

    @Test
    void interruptedContextLockAcquireLeavesTheLockFree() throws Exception {
        Context ctx = cluster.workers.context();
        try (org.multiprocessing4j.Lock lock = ctx.lock()) {
            lock.acquire();
            Throwable thrown;
            try {
                thrown = interruptWhileBlocked(() -> {
                    lock.acquire();
                    fail("acquire returned");
                });
            } finally {
                lock.release();
            }
            assertTrue(lock.acquire(Duration.ofSeconds(ARRIVES_S)), "the lock stayed held by the interrupted waiter");
            lock.release();
            assertInstanceOf(InterruptedException.class, thrown);
        }
    }

    @Test
    void callsMadeWithAnInterruptPendingTakeEffectOnceAndKeepTheInterrupt() throws Exception {
        String dictName = unique("dict");
        String listName = unique("list");
        java.util.concurrent.ConcurrentMap<String, Integer> dict = data.dict(dictName);
        java.util.List<String> list = data.list(listName);
        Context ctx = cluster.workers.context();
        org.multiprocessing4j.Event event = ctx.event();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean keptInterrupt = new AtomicBoolean(true);
        try {
            Thread caller = Thread.ofPlatform().name("interrupted-caller").start(() -> {
                try {
                    Thread.currentThread().interrupt();
                    dict.put("k", 1);
                    keptInterrupt.compareAndSet(true, Thread.currentThread().isInterrupted());
                    assertEquals(2, dict.merge("k", 1, Integer::sum));
                    keptInterrupt.compareAndSet(true, Thread.currentThread().isInterrupted());
                    list.add("x");
                    keptInterrupt.compareAndSet(true, Thread.currentThread().isInterrupted());
                    assertEquals("x", list.remove(0));
                    keptInterrupt.compareAndSet(true, Thread.currentThread().isInterrupted());
                    list.add("y");
                    event.set();
                    keptInterrupt.compareAndSet(true, Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            caller.join(MemberCluster.HANG.toMillis());
            assertFalse(caller.isAlive(), "the interrupted caller still runs");
            assertNull(thrown.get(), () -> "a call with an interrupt pending threw " + thrown.get());
            assertTrue(keptInterrupt.get(), "a call cleared the caller's interrupt status");
            assertEquals(2, dict.get("k"));
            assertEquals(java.util.List.of("y"), new java.util.ArrayList<>(list));
            assertTrue(event.isSet());
        } finally {
            data.destroy(dictName);
            data.destroy(listName);
        }
    }

    /** A thread holding a lock until {@link #release()} (a cluster lock is owned by a thread). */
    private static final class Holder {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        Holder(Runnable take, Runnable give) throws InterruptedException {
            CountDownLatch held = new CountDownLatch(1);
            thread = Thread.ofPlatform().name("lock-holder").start(() -> {
                take.run();
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                give.run();
            });
            assertTrue(held.await(MemberCluster.HANG.toSeconds(), TimeUnit.SECONDS), "the holder did not get the lock");
        }

        void release() throws InterruptedException {
            release.countDown();
            thread.join(MemberCluster.HANG.toMillis());
        }
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }
}
