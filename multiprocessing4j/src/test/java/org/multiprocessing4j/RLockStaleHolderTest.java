package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An RLock records its holder thread by {@link Thread#threadId()} only; ids repeat across JVMs. A process
 * killed holding the lock leaves its thread's id in shared memory, and a thread of the recovering process
 * that has the same id must never count as holding the lock: not while the take-over is under way either.
 * The take-over's window is short, so the test runs it {@value #LOCKS} times (one dead child holds every
 * lock) with the twin thread looking all the while; before the fix, some 6 of 40 looks landed in it on a
 * 2-core machine. With the fix no timing can make the test fail; a slow machine only catches the bug less often.
 */
class RLockStaleHolderTest extends ChildProcessTestBase {
    private static final int LOCKS = 40;

    @Test
    void a_thread_whose_id_matches_a_dead_holders_never_holds_the_rlock_during_a_take_over() throws Exception {
        RLock[] locks = new RLock[LOCKS];
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new RLock();
            locks[i].isLocked(); // maps it here now
        }
        try (Event held = new Event()) {
            // The thread of this process that will share its id with the dead holder; ids are made large
            // so that the child, whose counter starts lower, can reach it.
            AtomicInteger ready = new AtomicInteger(-1);
            AtomicInteger done = new AtomicInteger(-1);
            CompletableFuture<String> seen = new CompletableFuture<>();
            Thread twin = twinThread(() -> {
                int falseHolds = 0;
                StringBuilder what = new StringBuilder();
                for (int i = 0; i < LOCKS; i++) {
                    RLock lock = locks[i];
                    ready.set(i);
                    while (done.get() < i) {
                        int holds = lock.getHoldCount();
                        if (holds != 0 || lock.isHeldByCurrentThread()) {
                            falseHolds++;
                            what.append(" lock ").append(i).append(": ").append(holds).append(" holds;");
                            break;
                        }
                    }
                    while (done.get() < i) {
                        Thread.onSpinWait();
                    }
                }
                seen.complete(falseHolds == 0 ? "ok" : "a thread that never acquired saw holds:" + what);
            });
            long id = twin.threadId();
            Process holder = new Process(checked(() -> {
                Runnable take = () -> {
                    try {
                        for (RLock l : locks) {
                            l.acquire();
                            l.acquire(); // depth 2
                        }
                        held.set();
                        Thread.sleep(HANG.toMillis() * 10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
                Thread taker;
                do {
                    taker = new Thread(take, "taker");
                } while (taker.threadId() < id);
                if (taker.threadId() != id) {
                    throw new AssertionError("could not make a thread with id " + id + ": " + taker.threadId());
                }
                taker.start();
                taker.join();
            }));
            holder.start();
            try {
                assertTrue(held.await(HANG), "the child never took the locks");
                holder.kill();
                holder.join(HANG);
                twin.start();
                for (int i = 0; i < LOCKS; i++) {
                    while (ready.get() < i) {
                        Thread.onSpinWait();
                    }
                    Throwable t = null;
                    try {
                        locks[i].acquire();
                    } catch (OwnerDiedException e) {
                        t = e;
                    }
                    assertInstanceOf(OwnerDiedException.class, t, "lock " + i);
                    done.set(i);
                    assertEquals(1, locks[i].getHoldCount(), "lock " + i);
                    locks[i].release();
                    assertFalse(locks[i].isLocked(), "lock " + i);
                }
                assertEquals("ok", seen.get(HANG.toSeconds(), TimeUnit.SECONDS));
                twin.join(HANG.toMillis());
            } finally {
                if (holder.isAlive()) {
                    holder.kill();
                    holder.join(HANG);
                }
                done.set(LOCKS);
                for (RLock l : locks) {
                    l.close();
                }
            }
        }
    }

    /** A thread (not started) whose id is at least 100000: burns ids until then. */
    private static Thread twinThread(Runnable body) {
        Thread t = new Thread(body, "twin");
        while (t.threadId() < 100_000) {
            t = new Thread(body, "twin");
        }
        return t;
    }
}
