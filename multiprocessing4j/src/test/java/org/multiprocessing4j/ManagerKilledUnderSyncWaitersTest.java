package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Threads blocked in {@link JoinableQueue#join()}, {@link Barrier#await()} and {@link Condition#await()} on a
 * manager's objects when the manager process is killed: each wait ends with
 * {@link ManagerUnavailableException}, and a condition's wait keeps its promise to take the lock back first.
 */
class ManagerKilledUnderSyncWaitersTest extends ChildProcessTestBase {

    /** What a blocking call in a new thread threw (null if it returned), once it is asleep in a futex wait. */
    static CompletableFuture<Throwable> inThread(ChildBodies.Body call, Thread[] started) throws InterruptedException {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        t.setDaemon(true);
        t.start();
        started[0] = t;
        SemaphoreEventTest.awaitAsleepInFutex(t);
        return outcome;
    }

    static void killed(Manager manager) {
        ProcessHandle h = ProcessHandle.of(manager.pid().getAsLong()).orElseThrow();
        h.destroyForcibly();
        h.onExit().join();
    }

    static void removeNewFiles(Set<Path> before) throws Exception {
        // NOTE: a killed manager's files stay until this tree ends (as after any SIGKILL); the test removes them
        for (Path f : thisTreesShmFiles()) {
            if (!before.contains(f)) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Test
    void a_join_a_barrier_wait_and_a_condition_wait_end_with_ManagerUnavailableException() throws Exception {
        Set<Path> before = thisTreesShmFiles();
        Manager manager = Manager.start();
        try {
            JoinableQueue<String> jq = manager.joinableQueue();
            Barrier barrier = manager.barrier(2);
            Condition condition = manager.condition();
            jq.put("unfinished");
            Thread[] t = new Thread[1];
            CompletableFuture<Throwable> join = inThread(jq::join, t);
            CompletableFuture<Throwable> arrival = inThread(barrier::await, t);
            CompletableFuture<Throwable> wait = inThread(() -> {
                condition.acquire();
                try {
                    condition.await();
                } finally {
                    condition.release(); // NOTE: held again whatever the wait's outcome (the class's promise)
                }
            }, t);
            killed(manager);
            assertInstanceOf(ManagerUnavailableException.class, join.get(HANG.toSeconds(), TimeUnit.SECONDS), "join");
            assertInstanceOf(ManagerUnavailableException.class, arrival.get(HANG.toSeconds(), TimeUnit.SECONDS), "barrier");
            Throwable w = wait.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(ManagerUnavailableException.class, w, "condition: its wait took the lock back, so the release in "
                    + "the finally block did not throw over it");
            assertEquals(0, condition.waiting(), "the ended wait left its slot registered");
            jq.close();
            barrier.close();
            condition.close();
        } finally {
            manager.close();
            removeNewFiles(before);
        }
    }
}
