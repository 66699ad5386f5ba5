package org.multiprocessing4j.internal.pool;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The single thread on which one pool's result callbacks run, in completion order (CPython's result-handler
 * thread), and a count of the callbacks handed to it, so that closing the pool waits until every callback
 * of its results has run ({@link #awaitIdle}), as CPython's {@code join()} joins its result handler, yet a
 * callback that closes the pool does not wait for itself. Thread-safe.
 */
final class CallbackThread {
    private final ExecutorService thread;
    /** Callbacks handed to {@link #execute} and not ended yet. */
    private final AtomicInteger pending = new AtomicInteger();
    /** The callback thread itself, once it runs (null before). */
    private volatile Thread runner;

    CallbackThread(ThreadFactory factory) {
        this.thread = Executors.newSingleThreadExecutor(factory);
    }

    /**
     * Runs {@code action} on the callback thread after those handed over before it.
     *
     * @throws RejectedExecutionException once {@link #shutdown()} was called
     */
    void execute(Runnable action) {
        pending.incrementAndGet();
        try {
            thread.execute(() -> {
                runner = Thread.currentThread();
                try {
                    action.run();
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                }
            });
        } catch (RuntimeException | Error e) {
            pending.decrementAndGet();
            throw e;
        }
    }

    /**
     * Waits until every callback handed over so far has run, or until {@code deadline}
     * ({@link System#nanoTime()}; {@link Long#MAX_VALUE}: none). On the callback thread itself (a callback
     * that closes the pool) it returns at once: the callbacks after it run once it returns.
     *
     * @return whether they ran (or the caller is the callback thread)
     */
    boolean awaitIdle(long deadline) throws InterruptedException {
        if (Thread.currentThread() == runner) {
            return true;
        }
        synchronized (this) {
            while (pending.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
        return true;
    }

    /** Whether the caller is this pool's callback thread (running a callback). Never blocks. */
    boolean isCurrent() {
        return Thread.currentThread() == runner;
    }

    /**
     * Whether every callback handed over so far has run, or the caller is the callback thread
     * ({@link #awaitIdle} without waiting). Never blocks.
     *
     * @return whether they ran (or the caller is the callback thread)
     */
    boolean isIdle() {
        return Thread.currentThread() == runner || pending.get() == 0;
    }

    /** Lets the thread end once the callbacks handed over have run; later ones are refused. */
    void shutdown() {
        thread.shutdown();
    }
}
