package org.multiprocessing4j.internal.pool;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * One {@code ProcessPoolExecutor.submit}: a single task completing an {@link ExecutorFuture}. The task
 * counts in the executor's {@link UnfinishedTasks} from its submit to its outcome (delivered here, or a
 * cancellation by its future), which keeps the JVM alive meanwhile.
 */
public final class ExecutorJob<T> implements TaskSink {
    private final ExecutorFuture<T> future;
    private final UnfinishedTasks unfinished;
    /** What the future completes with in place of the worker's value, or null for that value. */
    private final T localResult;

    private ExecutorJob(ExecutorFuture<T> future, UnfinishedTasks unfinished, T localResult) {
        this.future = future;
        this.unfinished = unfinished;
        this.localResult = localResult;
    }

    /**
     * Encodes {@code callable} in this thread and queues it. {@code origin} is what {@code shutdownNow}
     * hands back if the task never starts (a Runnable). A non-null {@code localResult} is what the future
     * completes with on success, in place of the worker's value: the result given with a Runnable
     * ({@code submit(task, result)}), which never leaves this JVM, so {@code get()} returns that object.
     *
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class)
     * @throws IllegalStateException    if the executor takes no new tasks
     */
    public static <T> CompletableFuture<T> submit(PoolEngine engine, UnfinishedTasks unfinished, Callable<T> callable, Runnable origin,
            T localResult) {
        engine.checkTakingCalls();
        long id = engine.nextTaskId();
        EncodedMessage message = engine.codec().encodeMessage(TaskMessages.header(TaskMessages.CALL, id, 0), callable,
                "a task submitted to a ProcessPoolExecutor");
        ExecutorFuture<T> future = new ExecutorFuture<>(engine, unfinished);
        Task task = new Task(id, message, new ExecutorJob<>(future, unfinished, localResult), 0,
                origin != null ? origin : new FutureTask<>(callable));
        future.attach(task);
        unfinished.added(); // NOTE: before the task is queued: its outcome may come before submit returns
        try {
            engine.submit(task);
        } catch (RuntimeException e) {
            unfinished.finished(); // refused (closed or broken) before it was queued
            throw e;
        }
        return future;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void succeeded(Task task, Object value) {
        try {
            future.completeFromRelay(localResult != null ? localResult : (T) value);
        } finally {
            unfinished.finished(); // NOTE: after completing (stages run on the pool's StageRunner, which close waits for)
        }
    }

    @Override
    public void failed(Task task, Throwable error) {
        try {
            future.completeExceptionallyFromRelay(PoolCancellation.forFuture(error));
        } finally {
            unfinished.finished();
        }
    }
}
