package org.multiprocessing4j.internal.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tasks of one {@code ProcessPoolExecutor} that were submitted and have no outcome yet (not completed,
 * failed or cancelled), and the rule that goes with them: while there is one, the JVM does not exit on its
 * own. CPython's {@code Executor.shutdown}: "the entire Python program will not exit until all pending
 * futures are done executing". While the count is above zero one non-daemon thread, the <em>keeper</em>,
 * waits for it to fall to zero, and ends at most {@value #LINGER_MILLIS} ms later if no task came meanwhile:
 * an idle executor does not hold the JVM up. {@code System.exit}, a signal or {@code Runtime.halt} are not
 * held up: a non-daemon thread only keeps a JVM whose other non-daemon threads have ended. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Cost. A submit costs one getAndIncrement and an outcome one decrementAndGet; the monitor is taken only
 * when the count goes 0 -> 1 (start a keeper, unless one is still alive: it is then kept) and 1 -> 0 (wake
 * the keeper, which lingers, then ends). The linger is for submit-get loops, where the count goes 1 -> 0
 * -> 1 at every task: a keeper that ended at once cost a thread start per round trip (serial round trips
 * of 22-45 us on a loaded 2-CPU machine measured up to about twice as slow; with the linger, as before
 * the keeper existed). A thread start every LINGER_MILLIS at most is noise;
 * so is holding an exiting JVM up that long (its exit steps take longer).
 *
 * Race. The keeper re-reads the count and unregisters itself (keeper = null) in one monitor section; the
 * thread that takes the count 0 -> 1 has incremented before it enters the monitor, and starts a keeper
 * only if none is registered. So either the ending keeper sees the new count and stays, or the new count
 * finds no keeper and starts one: a positive count always has a live keeper.
 *
 * Release. shutdownNow settles every task (the count falls to zero that way); release() also ends the
 * keeper whatever the count, so that no bookkeeping slip can hold up the exit of a JVM whose executor will
 * run nothing more.
 */
public final class UnfinishedTasks {
    /** How long the keeper outlives the last unfinished task, waiting for the next submit. */
    static final long LINGER_MILLIS = 10;

    private final String name;
    private final AtomicLong count = new AtomicLong();
    /** The live keeper, or null. Guarded by this. */
    private Thread keeper;
    /** Set by {@link #release()}: no keeper from then on. Guarded by this. */
    private boolean released;

    /** @param name the executor's name, for the keeper thread's name */
    public UnfinishedTasks(String name) {
        this.name = name;
    }

    /** A task was submitted (call before it is queued, so that its outcome cannot come first). */
    void added() {
        if (count.getAndIncrement() == 0) {
            synchronized (this) {
                if (keeper == null && !released) {
                    try {
                        keeper = Thread.ofPlatform().name(name + "-keepalive").daemon(false).inheritInheritableThreadLocals(false)
                                .start(this::keep);
                    } catch (RuntimeException | Error e) {
                        count.decrementAndGet(); // the submit fails with this: its task is not queued
                        throw e;
                    }
                }
            }
        }
    }

    /** A task submitted with {@link #added()} has its outcome, or was never queued. Once per task. */
    void finished() {
        if (count.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** The executor runs no more tasks (shutdownNow): ends the keeper, and starts none again. */
    public synchronized void release() {
        released = true;
        notifyAll();
    }

    /**
     * The keeper: a non-daemon thread that only waits, while the count is above zero and then up to
     * {@link #LINGER_MILLIS} for it to rise again. An interrupt does not end it (nothing should send one).
     */
    private synchronized void keep() {
        try {
            while (!released) {
                if (count.get() > 0) {
                    waitUninterruptibly(0);
                    continue;
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
                long left;
                while (count.get() == 0 && !released && (left = deadline - System.nanoTime()) > 0) {
                    waitUninterruptibly(left);
                }
                if (count.get() == 0) {
                    break;
                }
            }
        } finally {
            keeper = null; // NOTE: in the same monitor section as the last read of count (see Race)
        }
    }

    /** Waits on this monitor (held) for {@code nanos}, or until notified if 0; an interrupt only wakes it. */
    private void waitUninterruptibly(long nanos) {
        try {
            if (nanos == 0) {
                wait();
            } else {
                TimeUnit.NANOSECONDS.timedWait(this, nanos);
            }
        } catch (InterruptedException ignored) {
            // this thread exists only to be alive; its loop re-reads the count
        }
    }
}
