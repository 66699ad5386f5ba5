package org.multiprocessing4j.internal.pool;

/**
 * The future of one {@code ProcessPoolExecutor.submit}: a {@link java.util.concurrent.CompletableFuture} completed by the pool.
 * {@code cancel(false)} succeeds only while no worker has the task (as {@code concurrent.futures.Future.cancel}):
 * the task is then removed from the queue and never runs. {@code cancel(true)} also stops a running task
 * the only way a process can be: its worker is killed (and replaced) - the process counterpart of
 * {@code ThreadPoolExecutor}'s interrupt. Stages derived from it are {@link HandOffFuture}s: no stage runs on
 * the pool's relay threads. A
 * cancel that takes the task away settles it, so it ends the task's count in {@link UnfinishedTasks}
 * (otherwise the task's outcome, through {@link ExecutorJob}, does).
 */
final class ExecutorFuture<T> extends HandOffFuture<T> {
    private final PoolEngine engine;
    private final UnfinishedTasks unfinished;
    private volatile Task task;

    ExecutorFuture(PoolEngine engine, UnfinishedTasks unfinished) {
        super(engine.stages());
        this.engine = engine;
        this.unfinished = unfinished;
    }

    void attach(Task task) {
        this.task = task;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        Task t = task;
        if (isDone()) {
            return isCancelled();
        }
        if (t == null) {
            return super.cancel(mayInterruptIfRunning);
        }
        if (!engine.cancelPending(t) && !(mayInterruptIfRunning && engine.cancelRunning(t))) {
            return false;
        }
        // the task is settled here: its sink will never be called
        try {
            return super.cancel(mayInterruptIfRunning);
        } finally {
            unfinished.finished();
        }
    }
}
