package org.multiprocessing4j.internal.pool;

import java.util.concurrent.CompletableFuture;

/**
 * The future of one {@code ProcessPoolExecutor.submit}: a {@link CompletableFuture} completed by the pool.
 * {@code cancel(false)} succeeds only while no worker has the task (as {@code concurrent.futures.Future.cancel}):
 * the task is then removed from the queue and never runs. {@code cancel(true)} also stops a running task
 * the only way a process can be: its worker is killed (and replaced) - the process counterpart of
 * {@code ThreadPoolExecutor}'s interrupt. Stages derived from it are plain {@code CompletableFuture}s.
 */
final class ExecutorFuture<T> extends CompletableFuture<T> {
    private final PoolEngine engine;
    private volatile Task task;

    ExecutorFuture(PoolEngine engine) {
        this.engine = engine;
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
        if (t != null && !engine.cancelPending(t) && !(mayInterruptIfRunning && engine.cancelRunning(t))) {
            return false;
        }
        return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
