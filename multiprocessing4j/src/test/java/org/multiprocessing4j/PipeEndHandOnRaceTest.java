package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipe end handed on unused from a child to a grandchild is recorded as the grandchild's (reserved for
 * it) by the child. The grandchild may use the end from its first line: that use must not depend on the
 * child having recorded the hand-on yet (Python: a child's copy of a pipe end works at once).
 */
class PipeEndHandOnRaceTest extends ChildProcessTestBase {
    /** Ample for a grandchild that holds its run order to begin its send. */
    private static final Duration GRACE = Duration.ofSeconds(3);

    @Test
    void a_grandchild_that_uses_its_end_before_its_parent_recorded_the_hand_on_still_gets_it(@TempDir Path dir) throws Exception {
        String marker = dir.resolve("grandchild-about-to-send").toString();
        try (Pipe pipe = Pipe.open()) {
            Connection end = pipe.right();
            Process child = new Process(checked(() -> {
                // NOTE: a thread of the child holds the JVM-wide lock of ring reservations until the grandchild
                // has begun its send (and a little longer): the child is slow to record the hand-on, as after a
                // preemption or a GC pause between starting the grandchild and reserving the end for it. Once the
                // starting thread waits for the lock, the grandchild is given GRACE to begin its send: one that got
                // its run order does so within it; one that did not (the hand-on comes first) never would
                Object reservations = reservationsLock();
                Thread starting = Thread.currentThread();
                CountDownLatch held = new CountDownLatch(1);
                Thread slow = new Thread(() -> {
                    synchronized (reservations) {
                        held.countDown();
                        if (awaitFileUnless(Path.of(marker), starting, reservations)) {
                            sleepQuietly(500);
                        }
                    }
                });
                slow.start();
                held.await();
                Process grandchild = new Process(checked(() -> {
                    Files.createFile(Path.of(marker));
                    end.send("from the grandchild");
                }));
                grandchild.start();
                grandchild.join();
                slow.join();
                if (grandchild.exitCode() != 0) {
                    throw new IllegalStateException("grandchild ended with " + grandchild.exitCode());
                }
            }));
            child.start();
            end.close();
            Connection parentEnd = pipe.left();
            assertEquals("from the grandchild", parentEnd.recv());
            assertThrows(EOFException.class, parentEnd::recv, "the grandchild's end closed with it");
            assertEquals(0, joined(child));
        }
    }

    private static Object reservationsLock() throws ReflectiveOperationException {
        Field f = Class.forName("org.multiprocessing4j.internal.ring.RingEnd").getDeclaredField("RESERVATIONS");
        f.setAccessible(true);
        return f.get(null);
    }

    /**
     * Waits for {@code path} to exist (true); once {@code thread} blocks on {@code lock}'s monitor, for
     * {@link #GRACE} more at most (false).
     */
    private static boolean awaitFileUnless(Path path, Thread thread, Object lock) {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (Files.exists(path)) {
                return true;
            }
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.threadId());
            if (info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
                    && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(lock)) {
                deadline = Math.min(deadline, System.nanoTime() + GRACE.toNanos());
            }
            sleepQuietly(1);
        }
        return false;
    }

    private static void sleepQuietly(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
