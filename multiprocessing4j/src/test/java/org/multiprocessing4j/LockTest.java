package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.futex.Membarrier;

/**
 * Lock and RLock across real child JVMs: Python's semantics (who may release), mutual exclusion between
 * processes, and recovery after a holder is killed with SIGKILL.
 */
class LockTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final int PROCESSES = 4;
    private static final int INCREMENTS = 20_000;

    @Test
    void a_lock_acquired_here_is_released_by_a_child_process() throws Exception {
        try (Lock lock = new Lock()) {
            lock.acquire();
            assertEquals(0, run(new Process(checked(() -> {
                if (lock.tryAcquire()) {
                    throw new AssertionError("took a lock the parent holds");
                }
                lock.release(); // Python: any process may release a Lock
            }))));
            assertFalse(lock.isLocked());
            assertTrue(lock.tryAcquire());
            lock.release();
        }
    }

    @Test
    void a_lock_is_not_reentrant_a_second_acquire_by_its_holder_waits() throws Exception {
        try (Lock lock = new Lock()) {
            lock.acquire();
            assertFalse(lock.acquire(SHORT), "a Lock let its holder in twice (Python's Lock is not reentrant)");
            assertFalse(lock.tryAcquire());
            lock.release();
        }
    }

    @Test
    void release_of_a_free_lock_throws_IllegalStateException_naming_the_lock() {
        try (Lock lock = new Lock()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().contains("not held") && e.getMessage().contains("Lock["), e.getMessage());
            assertThrows(IllegalStateException.class, lock::unlock);
        }
    }

    @Test
    void processes_incrementing_a_plain_counter_under_a_lock_lose_no_update() throws Exception {
        try (Lock lock = new Lock(); SharedTestMemory counter = new SharedTestMemory(64)) {
            List<Process> children = new ArrayList<>();
            for (int p = 0; p < PROCESSES; p++) {
                children.add(new Process(checked(() -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        lock.lock();
                        try {
                            counter.incrementPlainly(0);
                        } finally {
                            lock.unlock();
                        }
                    }
                })));
            }
            children.forEach(Process::start);
            for (Process c : children) {
                c.join(HANG);
                assertEquals(0, c.exitCode(), "child " + c);
            }
            assertEquals((long) PROCESSES * INCREMENTS, counter.getLong(0));
        }
    }

    @Test
    void processes_incrementing_under_an_rlock_embedded_in_other_memory_lose_no_update() throws Exception {
        try (SharedTestMemory memory = new SharedTestMemory(64)) {
            RLock lock = new RLock(memory, 8); // the counter at 0, the lock's 32 bytes at 8
            List<Process> children = new ArrayList<>();
            for (int p = 0; p < PROCESSES; p++) {
                children.add(new Process(checked(() -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        lock.acquire();
                        lock.acquire(); // reentrant
                        try {
                            memory.incrementPlainly(0);
                        } finally {
                            lock.release();
                            lock.release();
                        }
                    }
                })));
            }
            children.forEach(Process::start);
            for (Process c : children) {
                c.join(HANG);
                assertEquals(0, c.exitCode(), "child " + c);
            }
            assertEquals((long) PROCESSES * INCREMENTS, memory.getLong(0));
            lock.close(); // leaves memory it does not own alone
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void the_next_acquire_after_a_holder_is_killed_throws_OwnerDiedException_and_holds_the_lock() throws Exception {
        try (Lock lock = new Lock()) {
            Process holder = holdForever(lock::acquire);
            int pid = (int) holder.pid().orElseThrow();
            awaitOwner(lock::ownerPid, pid);
            holder.kill();
            holder.join(HANG);
            OwnerDiedException e = assertThrows(OwnerDiedException.class, lock::acquire);
            assertEquals(pid, e.deadPid());
            assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid(), "held by this process after the exception");
            assertFalse(lock.tryAcquire());
            lock.release();
            assertTrue(lock.acquire(SHORT));
            lock.release();
        }
    }

    @Test
    void a_waiter_already_asleep_when_the_holder_is_killed_takes_the_lock_over_with_OwnerDiedException() throws Exception {
        try (Lock lock = new Lock()) {
            Process holder = holdForever(lock::acquire);
            int pid = (int) holder.pid().orElseThrow();
            awaitOwner(lock::ownerPid, pid);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    lock.acquire();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }, "asleep-in-acquire");
            waiter.start();
            awaitTrue(lock::hasWaiters, "the waiter never went to sleep on the lock");
            holder.kill();
            holder.join(HANG);
            Throwable t = outcome.get(HANG.toSeconds(), TimeUnit.SECONDS);
            OwnerDiedException e = assertInstanceOf(OwnerDiedException.class, t, "what the sleeping acquire ended with");
            assertEquals(pid, e.deadPid());
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid(), "held by this process after the exception");
            waiter.join(HANG.toMillis());
            lock.release(); // NOTE: a Lock may be released by another thread than its taker, as in Python
            assertTrue(lock.acquire(SHORT));
            lock.release();
        }
    }

    @Test
    void an_rlock_waiter_already_asleep_when_the_holder_is_killed_takes_it_over_with_one_hold() throws Exception {
        try (RLock lock = new RLock()) {
            Process holder = holdForever(() -> {
                lock.acquire();
                lock.acquire();
            });
            int pid = (int) holder.pid().orElseThrow();
            awaitOwner(lock::ownerPid, pid);
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    lock.acquire();
                    outcome.complete("acquired without being told the holder died");
                } catch (OwnerDiedException e) {
                    boolean held = lock.isHeldByCurrentThread();
                    int holds = lock.getHoldCount();
                    lock.release();
                    outcome.complete(e.deadPid() == pid && held && holds == 1 ? "ok"
                            : "dead pid " + e.deadPid() + ", held " + held + ", holds " + holds);
                } catch (Throwable t) {
                    outcome.complete(t.toString());
                }
            }, "asleep-in-rlock-acquire");
            waiter.start();
            awaitTrue(lock::hasWaiters, "the waiter never went to sleep on the rlock");
            holder.kill();
            holder.join(HANG);
            assertEquals("ok", outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            waiter.join(HANG.toMillis());
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void a_holder_the_lock_is_biased_to_is_killed_and_the_next_acquire_takes_it_over() throws Exception {
        assumeTrue(Membarrier.REGISTERED, "no membarrier here: locks are never biased");
        try (Lock lock = new Lock(); Event biased = new Event()) {
            Process holder = holdForever(() -> {
                earnBias(lock);
                lock.acquire(); // through the bias: the owner word stays free
                biased.set();
            });
            int pid = (int) holder.pid().orElseThrow();
            assertTrue(biased.await(HANG), "the child never took the lock through its bias");
            assertTrue(lock.isBiased());
            assertEquals(pid, lock.ownerPid());
            holder.kill();
            holder.join(HANG);
            OwnerDiedException e = assertThrows(OwnerDiedException.class, lock::acquire);
            assertEquals(pid, e.deadPid());
            assertFalse(lock.isBiased(), "the dead thread's bias was revoked");
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid());
            lock.release();
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void children_incrementing_under_a_lock_biased_to_the_parent_lose_no_update() throws Exception {
        assumeTrue(Membarrier.REGISTERED, "no membarrier here: locks are never biased");
        try (Lock lock = new Lock(); SharedTestMemory counter = new SharedTestMemory(64)) {
            earnBias(lock);
            assertTrue(lock.isBiased());
            List<Process> children = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                children.add(new Process(checked(() -> {
                    for (int i = 0; i < INCREMENTS; i++) {
                        lock.acquire();
                        counter.incrementPlainly(0);
                        lock.release();
                    }
                })));
            }
            children.forEach(Process::start);
            for (int i = 0; i < INCREMENTS; i++) { // the parent keeps taking it: biased again and revoked, up to 3 times
                lock.acquire();
                counter.incrementPlainly(0);
                lock.release();
            }
            for (Process c : children) {
                c.join(HANG);
                assertEquals(0, c.exitCode(), "child " + c);
            }
            assertEquals(3L * INCREMENTS, counter.getLong(0));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void lock_of_the_java_interface_takes_over_from_a_killed_holder_and_returns_normally() throws Exception {
        try (Lock lock = new Lock()) {
            Process holder = holdForever(lock::lock);
            awaitOwner(lock::ownerPid, (int) holder.pid().orElseThrow());
            holder.kill();
            holder.join(HANG);
            lock.lock();
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid());
            lock.unlock();
        }
    }

    @Test
    void an_rlock_whose_holder_was_killed_is_taken_over_with_one_hold() throws Exception {
        try (RLock lock = new RLock()) {
            Process holder = holdForever(() -> {
                lock.acquire();
                lock.acquire();
            });
            int pid = (int) holder.pid().orElseThrow();
            awaitOwner(lock::ownerPid, pid);
            holder.kill();
            holder.join(HANG);
            OwnerDiedException e = assertThrows(OwnerDiedException.class, () -> lock.acquire(HANG));
            assertEquals(pid, e.deadPid());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(1, lock.getHoldCount());
            lock.release();
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void an_rlock_released_by_a_process_that_does_not_hold_it_throws_IllegalMonitorStateException() throws Exception {
        try (RLock lock = new RLock()) {
            lock.acquire();
            assertEquals(0, run(new Process(checked(() -> {
                try {
                    lock.release();
                    throw new AssertionError("released an RLock this process does not hold");
                } catch (IllegalMonitorStateException expected) {
                    if (!expected.getMessage().contains("pid")) {
                        throw new AssertionError("message does not name the holder: " + expected.getMessage());
                    }
                }
                if (lock.tryAcquire()) {
                    throw new AssertionError("took an RLock the parent holds");
                }
            }))));
            assertTrue(lock.isHeldByCurrentThread());
            lock.release();
            assertThrows(IllegalMonitorStateException.class, lock::release);
        }
    }

    @Test
    void a_child_waiting_for_the_lock_gets_it_when_the_parent_releases() throws Exception {
        try (Lock lock = new Lock(); Queue<String> done = new Queue<>()) {
            lock.acquire();
            Process waiter = new Process(checked(() -> {
                lock.acquire();
                done.put("acquired");
                lock.release();
            }));
            waiter.start();
            Thread.sleep(QueueTest.BLOCKED.toMillis());
            assertTrue(done.empty());
            lock.release();
            assertEquals("acquired", done.get(HANG));
            waiter.join(HANG);
            assertEquals(0, waiter.exitCode());
        }
    }

    @Test
    void a_copy_first_used_after_its_creator_closed_the_lock_fails_clearly() throws Exception {
        Lock lock = new Lock();
        Process late = new Process(checked(() -> {
            try {
                lock.tryAcquire();
                throw new AssertionError("attached to a closed lock");
            } catch (IllegalStateException expected) {
                if (!expected.getMessage().contains("gone")) {
                    throw expected;
                }
            }
        }));
        lock.close();
        assertEquals(0, run(late));
        assertThrows(IllegalStateException.class, lock::tryAcquire);
    }

    /** Takes and releases the lock alone until it is biased to this thread (a few dozen times). */
    private static void earnBias(Lock lock) throws InterruptedException {
        for (int i = 0; i < 100_000 && !lock.isBiased(); i++) {
            lock.acquire();
            lock.release();
        }
        if (!lock.isBiased()) {
            throw new AssertionError("never biased");
        }
    }

    /** Starts a child that runs {@code take} and then sleeps until killed. */
    private static Process holdForever(ChildBodies.Body take) {
        Process p = new Process(checked(() -> {
            take.run();
            Thread.sleep(HANG.toMillis() * 10);
        }));
        p.start();
        return p;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String never) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(never);
            }
            Thread.sleep(10);
        }
    }

    private static void awaitOwner(IntSupplier owner, int pid) throws InterruptedException {
        awaitTrue(() -> owner.getAsInt() == pid, "pid " + pid + " never took the lock (owner " + owner.getAsInt() + ")");
    }
}
