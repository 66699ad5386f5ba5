package org.multiprocessing4j.internal.futex;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@code FUTEX_WAIT} for a virtual thread, made by a platform thread while the virtual thread parks, so
 * that the wait does not hold the virtual thread's carrier. Thread-safe.
 *
 * <p>Implementation note: an FFM downcall pins its virtual thread to the carrier for the whole call, and
 * the JDK adds no carrier for it; two virtual threads asleep in {@code FUTEX_WAIT} took both carriers of a
 * 2-CPU machine and every other virtual thread of the JVM stopped. Polling the word with timed parks
 * instead cost 9% of a CPU for one idle waiter (440 ms of CPU in 5 s, at a 1 ms poll). Here a pooled daemon
 * platform thread sleeps in the kernel on the virtual thread's behalf (the pool grows to the number of
 * virtual threads waiting at once and shrinks after a minute idle) and unparks it when the wait returns:
 * an idle waiter burns no CPU, and a wake-up costs one more hand-off (a few microseconds). As the system
 * call, an interrupt does not end the wait (the slice does): the virtual thread keeps the interrupt for
 * its caller.
 */
final class CarrierFreeWait {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor WAITERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(null, r, "mp4j-futex-wait-" + THREADS.incrementAndGet(), 256 * 1024);
                t.setDaemon(true);
                return t;
            });

    /** A thread that owns no arena: a segment it may access is one any thread may (not a confined one). */
    private static final Thread NO_OWNER = Thread.ofPlatform().unstarted(() -> { });

    private CarrierFreeWait() {
    }

    /**
     * Whether a pool thread may wait on {@code word}: not if it is a segment of a confined arena (only its
     * owner may touch it; such a word is never shared with another process anyway), which then waits in place.
     */
    static boolean canTake(MemorySegment word) {
        return word.isAccessibleBy(NO_OWNER);
    }

    /** One wait handed to a platform thread: its outcome, written before {@code done}. */
    private static final class Handoff implements Runnable {
        private final MemorySegment word;
        private final int expected;
        private final long timeoutNanos;
        private final Thread waiter = Thread.currentThread();
        private long result;
        private RuntimeException failure;
        private volatile boolean done;

        Handoff(MemorySegment word, int expected, long timeoutNanos) {
            this.word = word;
            this.expected = expected;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public void run() {
            try {
                result = Syscalls.futexWait(word, expected, timeoutNanos);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                done = true;
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * Runs {@code FUTEX_WAIT(word, expected, timeoutNanos)} on a platform thread and parks this (virtual)
     * thread until it returns.
     *
     * @return what the system call returned (0, or a negated errno)
     * @throws IllegalStateException as the system call would
     */
    static long futexWait(MemorySegment word, int expected, long timeoutNanos) {
        Handoff wait = new Handoff(word, expected, timeoutNanos);
        WAITERS.execute(wait);
        boolean interrupted = false;
        while (!wait.done) {
            LockSupport.park(wait);
            // NOTE: an interrupt makes park return at once from then on: set it aside until the wait is over
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (wait.failure != null) {
            throw wait.failure;
        }
        return wait.result;
    }
}
