package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A synchronization object closed by one thread while another of the same process waits on it: the waiter
 * gets an {@link IllegalStateException} that says so (it got the JDK's bare "Already closed" from the
 * unmapped memory), as a queue's waiter does.
 */
class CloseWhileWaitingTest extends ChildProcessTestBase {

    /** Runs {@code waiter} on its own thread, closes {@code object} once it waits, and returns what it threw. */
    private static Throwable closedUnder(AutoCloseable object, Callable waiter) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                waiter.call();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + HANG.toNanos();
        while (t.getState() != Thread.State.RUNNABLE && t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(300); // NOTE: into its futex sleep
        object.close();
        Throwable e = thrown.get(HANG.toSeconds(), TimeUnit.SECONDS);
        t.join();
        return e;
    }

    private interface Callable {
        void call() throws Exception;
    }

    private static void assertSaysClosed(String what, Throwable e) {
        assertTrue(e instanceof IllegalStateException, what + ": " + e);
        assertTrue(e.getMessage().contains(what + " was closed in this process while this thread waited on it"), e.getMessage());
    }

    @Test
    void a_lock_semaphore_event_barrier_or_condition_closed_under_a_waiter_says_so() throws Exception {
        Lock lock = new Lock();
        lock.acquire();
        assertSaysClosed("the lock", closedUnder(lock, lock::acquire));
        Semaphore semaphore = new Semaphore(0);
        assertSaysClosed("the semaphore", closedUnder(semaphore, semaphore::acquire));
        Event event = new Event();
        assertSaysClosed("the event", closedUnder(event, event::await));
        Barrier barrier = new Barrier(2);
        assertSaysClosed("the barrier", closedUnder(barrier, barrier::await));
        Condition condition = new Condition();
        Throwable e = closedUnder(condition, () -> {
            condition.acquire();
            condition.await();
        });
        assertEquals(IllegalStateException.class, e.getClass(), String.valueOf(e));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
