package org.multiprocessing4j.internal.pool;

import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/** One {@code apply}/{@code applyAsync} call: a single task whose result is the call's result. */
public final class CallJob<R> implements TaskSink {
    private final PoolAsyncResult<R> result;

    private CallJob(PoolAsyncResult<R> result) {
        this.result = result;
    }

    /**
     * Encodes {@code callable} in this thread and queues it.
     *
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class)
     * @throws IllegalStateException    if the pool takes no new tasks
     */
    public static <R> AsyncResult<R> submit(PoolEngine engine, Callable<R> callable, Consumer<? super R> callback,
                                            Consumer<? super Throwable> errorCallback) {
        engine.checkTakingCalls();
        long id = engine.nextTaskId();
        EncodedMessage message = engine.codec().encodeMessage(TaskMessages.header(TaskMessages.CALL, id, 0), callable, "a pool task");
        PoolAsyncResult<R> result = new PoolAsyncResult<>(engine, callback, errorCallback);
        engine.submit(new Task(id, message, new CallJob<>(result), 0, callable));
        return result;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void succeeded(Task task, Object value) {
        result.complete((R) value);
    }

    @Override
    public void failed(Task task, Throwable error) {
        result.fail(error);
    }
}
