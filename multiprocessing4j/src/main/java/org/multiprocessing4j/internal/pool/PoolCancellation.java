package org.multiprocessing4j.internal.pool;

import java.io.Serial;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * A task or call the pool itself cancelled (terminate, shutdownNow, a closed map stream, a cancelled
 * queued task), told apart from a {@link CancellationException} that a task threw: only the pool's own
 * makes a future cancelled ({@code isCancelled()}, no error callback). See {@link #forFuture}.
 */
final class PoolCancellation extends CancellationException {
    @Serial
    private static final long serialVersionUID = 1L;

    PoolCancellation(String message) {
        super(message);
    }

    /**
     * What a {@link java.util.concurrent.CompletableFuture} is completed with for {@code error}: a task's
     * own {@link CancellationException} or {@link CompletionException} wrapped in a
     * {@link CompletionException}, so that {@code get()} throws {@link java.util.concurrent.ExecutionException}
     * with it as the cause (unwrapped, the first would read as "cancelled" and the second would lose its
     * type); anything else as it is.
     */
    static Throwable forFuture(Throwable error) {
        boolean tasksOwn = error instanceof CancellationException && !(error instanceof PoolCancellation);
        return tasksOwn || error instanceof CompletionException ? new CompletionException(error) : error;
    }
}
