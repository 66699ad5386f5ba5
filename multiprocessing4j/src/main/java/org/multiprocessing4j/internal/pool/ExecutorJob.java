package org.multiprocessing4j.internal.pool;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/** One {@code ProcessPoolExecutor.submit}: a single task completing an {@link ExecutorFuture}. */
public final class ExecutorJob<T> implements TaskSink {
    private final ExecutorFuture<T> future;

    private ExecutorJob(ExecutorFuture<T> future) {
        this.future = future;
    }

    /**
     * Encodes {@code callable} in this thread and queues it. {@code origin} is what {@code shutdownNow}
     * hands back if the task never starts (a Runnable).
     *
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class)
     * @throws IllegalStateException    if the executor takes no new tasks
     */
    public static <T> CompletableFuture<T> submit(PoolEngine engine, Callable<T> callable, Runnable origin) {
        engine.checkTakingCalls();
        long id = engine.nextTaskId();
        EncodedMessage message = engine.codec().encodeMessage(TaskMessages.header(TaskMessages.CALL, id, 0), callable,
                "a task submitted to a ProcessPoolExecutor");
        ExecutorFuture<T> future = new ExecutorFuture<>(engine);
        Task task = new Task(id, message, new ExecutorJob<>(future), 0, origin != null ? origin : new FutureTask<>(callable));
        future.attach(task);
        engine.submit(task);
        return future;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void succeeded(Task task, Object value) {
        future.complete((T) value);
    }

    @Override
    public void failed(Task task, Throwable error) {
        future.completeExceptionally(error);
    }
}
