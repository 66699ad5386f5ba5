package org.multiprocessing4j.internal.pool;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The future of one {@code ProcessPoolExecutor.submit}: a {@link java.util.concurrent.CompletableFuture} completed by the pool.
 * {@code cancel(false)} succeeds only while no worker has the task (as {@code concurrent.futures.Future.cancel}):
 * the task is then removed from the queue and never runs. {@code cancel(true)} also stops a running task
 * the only way a process can be: its worker is killed (and replaced) - the process counterpart of
 * {@code ThreadPoolExecutor}'s interrupt. Stages derived from it are {@link HandOffFuture}s: no stage runs on
 * the pool's relay threads. A
 * cancel that takes the task away settles it, so it ends the task's count in {@link UnfinishedTasks}
 * (otherwise the task's outcome, through {@link ExecutorJob}, does). Completed by its user instead
 * ({@code complete}, {@code completeExceptionally}, {@code completeAsync}, and so {@code orTimeout} and {@code completeOnTimeout}),
 * it withdraws a task no worker has started, as {@code cancel(false)} does: {@code CompletableFuture.supplyAsync}
 * likewise never runs a supplier whose future is already complete. A started task runs on; its answer is dropped.
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
    public boolean complete(T value) {
        withdrawUnstarted();
        return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        withdrawUnstarted();
        return super.completeExceptionally(ex);
    }

    /**
     * As {@link #complete}: {@code CompletableFuture} completes itself here without calling {@code complete},
     * so the task is withdrawn just before the supplier runs (it runs only if the future is not done yet).
     */
    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        Objects.requireNonNull(supplier, "supplier");
        return super.completeAsync(() -> {
            withdrawUnstarted();
            return supplier.get();
        }, executor);
    }

    /**
     * Before a completion by this future's user: takes the task out of the queue if no worker has started it.
     * First, as {@link #cancel} does: whoever sees the future done (a {@code get} that returns) also sees the
     * task gone; the task is withdrawn whoever completes the future, and its result would be dropped anyway.
     */
    private void withdrawUnstarted() {
        Task t = task;
        // NOTE: the relay completes through complete() too, but only after settling the task: settled() keeps
        // that hot path off the pool's lock. A task settled by a withdrawal here never reaches its sink, so the
        // count in UnfinishedTasks ends here (the JVM no longer waits for a task whose result nobody reads).
        // Withdrawn after the completion, a get() could return while the task still counted as pending.
        if (t != null && !isDone() && !t.settled() && engine.cancelPending(t)) {
            unfinished.finished();
        }
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
