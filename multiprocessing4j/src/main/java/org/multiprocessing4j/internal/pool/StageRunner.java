package org.multiprocessing4j.internal.pool;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the dependent stages of one pool's futures ({@link HandOffFuture}) on threads of their own, never
 * on the pool's relays, and counts them, so that closing the pool waits for the stages its results started
 * (as a {@code ThreadPoolExecutor}'s close waits for the stages its threads run) but a stage that closes
 * the pool does not wait for itself ({@link #awaitIdle}). Thread-safe.
 */
final class StageRunner implements Executor {
    /**
     * The threads of every pool's stages: daemon threads made as needed, so a stage may block as long as it
     * likes without holding up another, ended after 30 s idle.
     */
    private static final ThreadPoolExecutor THREADS = threads();
    /** The runner whose stage the current thread runs, or null. */
    private static final ThreadLocal<StageRunner> RUNNING = new ThreadLocal<>();

    /** Stages handed to {@link #execute} and not ended yet. */
    private final AtomicInteger running = new AtomicInteger();
    /** An executor's count of unfinished work, which keeps the JVM alive: stages count in it too; or null. */
    private volatile UnfinishedTasks keepAlive;

    private static ThreadPoolExecutor threads() {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> Thread.ofPlatform().daemon().name("mp4j-future-stage-" + count.incrementAndGet()).unstarted(r));
    }

    /**
     * Counts every stage in {@code unfinished} until it ended, so that a JVM whose {@code main} returned does not
     * exit before the stages of an executor's futures ran (as it did not when they ran on the relay, before the
     * task counted as finished). Call once, before any future exists.
     */
    void keepAliveWith(UnfinishedTasks unfinished) {
        this.keepAlive = unfinished;
    }

    @Override
    public void execute(Runnable stage) {
        UnfinishedTasks k = keepAlive;
        // NOTE: counted here, inside the completion that hands the stage over, so before the task's own count ends
        if (k != null) {
            k.added();
        }
        running.incrementAndGet();
        try {
            THREADS.execute(() -> run(stage, k));
        } catch (RuntimeException | Error e) {
            ended(k);
            throw e;
        }
    }

    private void run(Runnable stage, UnfinishedTasks k) {
        RUNNING.set(this);
        try {
            stage.run();
        } finally {
            RUNNING.remove();
            ended(k);
        }
    }

    private void ended(UnfinishedTasks k) {
        if (k != null) {
            k.finished();
        }
        // NOTE: a stage that completes a derived future hands that future's stages to execute() before its own
        // end is counted here, so the count cannot touch zero between a chain's stages
        if (running.decrementAndGet() <= 1) { // 1: a stage that closes the pool waits for all but itself
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Whether every stage handed over so far has ended, except the caller's own when it runs one of this
     * runner's stages ({@link #awaitIdle} without waiting). Never blocks.
     *
     * @return whether they ended
     */
    boolean isIdle() {
        return running.get() <= (RUNNING.get() == this ? 1 : 0);
    }

    /**
     * Waits until every stage handed over so far has ended, except the caller's own when it runs one of
     * this runner's stages, or until {@code deadline} ({@link System#nanoTime()}; {@link Long#MAX_VALUE}: none).
     *
     * @return whether they ended
     */
    boolean awaitIdle(long deadline) throws InterruptedException {
        int own = RUNNING.get() == this ? 1 : 0;
        synchronized (this) {
            while (running.get() > own) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
        return true;
    }
}
