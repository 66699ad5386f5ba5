package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An interrupted or timed-out waiter leaves no registration behind in shared memory: the semaphore's and
 * the event's sleeper counts, and the condition's waiter slot, are back to zero before it throws (for the
 * condition: before the waiter takes the lock back, so a signal meanwhile goes to nobody or a live waiter).
 */
class WaiterRegistrationTest {
    private static final long SECONDS = TimeUnit.SECONDS.toNanos(60);
    private final MemorySegment memory = Arena.ofAuto().allocate(8192, 8);

    interface Wait {
        void run() throws Exception;
    }

    @Test
    void an_interrupted_semaphore_waiter_unregisters_before_throwing() throws Exception {
        SharedSemaphore s = new SharedSemaphore(memory, 0);
        SharedSemaphore.initialize(memory, 0, 0, false);
        Throwable t = interruptWhileWaiting(() -> s.acquire(System.nanoTime() + SECONDS, true), () -> memory.get(JAVA_INT, 44));
        assertTrue(t instanceof InterruptedException, "got " + t);
        assertEquals(0, memory.get(JAVA_INT, 44), "sleepers");
        s.release();
        assertTrue(s.acquire(System.nanoTime(), false));
    }

    @Test
    void an_interrupted_event_waiter_unregisters_before_throwing() throws Exception {
        SharedEvent e = new SharedEvent(memory, 0);
        Throwable t = interruptWhileWaiting(() -> e.await(System.nanoTime() + SECONDS), () -> memory.get(JAVA_INT, 4));
        assertTrue(t instanceof InterruptedException, "got " + t);
        assertEquals(0, memory.get(JAVA_INT, 4), "sleepers");
    }

    @Test
    void a_condition_waiter_that_gives_up_frees_its_slot_and_a_later_signal_finds_nobody() {
        SharedCondition c = new SharedCondition(memory, 0);
        int slot = c.register();
        assertEquals(1, c.waiting());
        assertEquals(false, c.await(slot, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), true));
        assertEquals(false, c.finish(slot));
        assertEquals(0, c.waiting());
        assertEquals(0, c.signal(1), "a signal with nobody waiting");
    }

    @Test
    void a_condition_waiter_that_gives_up_withdraws_before_it_finishes_so_a_signal_in_between_finds_nobody() {
        SharedCondition c = new SharedCondition(memory, 0);
        int slot = c.register();
        assertEquals(false, c.await(slot, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), true));
        assertEquals(0, c.waiting(), "withdrawn before finish (before the lock is taken back)");
        assertEquals(0, c.signal(1), "a signal between giving up and finishing");
        assertEquals(false, c.finish(slot));
        assertEquals(0, c.waiting());
    }

    @Test
    void an_interrupted_condition_waiter_withdraws_before_it_finishes() {
        SharedCondition c = new SharedCondition(memory, 0);
        int slot = c.register();
        Thread.currentThread().interrupt();
        try {
            assertEquals(false, c.await(slot, System.nanoTime() + SECONDS, true));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt status is the caller's to read");
        }
        assertEquals(0, c.waiting());
        assertEquals(0, c.signal(1));
        assertEquals(false, c.finish(slot));
    }

    @Test
    void a_condition_waiter_signalled_before_it_gives_up_counts_as_signalled() {
        SharedCondition c = new SharedCondition(memory, 0);
        int slot = c.register();
        assertEquals(1, c.signal(1));
        assertEquals(true, c.await(slot, System.nanoTime(), true), "deadline already passed, but the signal came first");
        assertEquals(true, c.finish(slot));
        assertEquals(0, c.waiting());
    }

    @Test
    void a_withdrawn_slot_is_reused_only_after_finish() {
        SharedCondition c = new SharedCondition(memory, 0);
        int slot = c.register();
        assertEquals(false, c.await(slot, System.nanoTime(), true));
        int other = c.register();
        assertTrue(other != slot, "a withdrawn slot was handed out before its waiter finished");
        c.finish(slot);
        assertEquals(1, c.signal(1));
        assertEquals(true, c.await(other, System.nanoTime(), true));
        assertEquals(true, c.finish(other));
        assertEquals(0, c.waiting());
    }

    /** Runs {@code wait} in a thread until {@code registered} reads 1, interrupts it, returns what it threw. */
    private static Throwable interruptWhileWaiting(Wait wait, java.util.function.IntSupplier registered) throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            thread.set(Thread.currentThread());
            try {
                wait.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> new Thread(r).start());
        long deadline = System.nanoTime() + SECONDS;
        while (registered.getAsInt() != 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the waiter never registered");
            }
            Thread.sleep(5);
        }
        thread.get().interrupt();
        return outcome.get(60, TimeUnit.SECONDS);
    }
}
