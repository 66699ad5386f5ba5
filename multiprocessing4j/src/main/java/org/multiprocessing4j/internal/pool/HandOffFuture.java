package org.multiprocessing4j.internal.pool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link CompletableFuture} completed by a pool's relay thread whose dependent stages never run on that
 * thread: every stage added without an executor ({@code thenApply}, {@code thenRun}, {@code whenComplete},
 * {@code handle}, {@code exceptionally}, ...) runs on the pool's {@link StageRunner} instead, and so do the
 * stages of the futures derived from it ({@link #newIncompleteFuture()}). Waiting ({@code get},
 * {@code join}) is not a stage and wakes at once, as with any {@code CompletableFuture}.
 *
 * <p>Why: {@code CompletableFuture} runs a non-async stage in the thread that completes the future. For a pool
 * that is the relay that reads a worker's answers, so a stage that waited for the pool ({@code apply}, another
 * future's {@code join}) stopped that worker's answers, and with them the pool; closing the pool from a stage
 * waited for itself forever. The Javadoc of {@code CompletableFuture} lets any thread run such stages.
 * Thread-safe.
 */
class HandOffFuture<T> extends CompletableFuture<T> {
    private final StageRunner stages;
    /** Threads waiting in get or join now: dependents of this future that are no stage. */
    private final AtomicInteger waiting = new AtomicInteger();

    HandOffFuture(StageRunner stages) {
        this.stages = stages;
    }

    /**
     * Completes this future with {@code value} from a relay: here when nothing but waiting threads depends
     * on it, else on the {@link StageRunner}. A future made elsewhere may depend on this one without a stage of
     * ours ({@code CompletableFuture.allOf(this)}, {@code plain.thenCombine(this, fn)}): its stages would run
     * in the completing thread. (A stage added by another thread while this call runs may still run here.)
     */
    void completeFromRelay(T value) {
        if (getNumberOfDependents() <= waiting.get()) {
            complete(value);
        } else {
            stages.execute(() -> complete(value));
        }
    }

    /** As {@link #completeFromRelay}, exceptionally. */
    void completeExceptionallyFromRelay(Throwable error) {
        if (getNumberOfDependents() <= waiting.get()) {
            completeExceptionally(error);
        } else {
            stages.execute(() -> completeExceptionally(error));
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        waiting.incrementAndGet();
        try {
            return super.get();
        } finally {
            waiting.decrementAndGet();
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        waiting.incrementAndGet();
        try {
            return super.get(timeout, unit);
        } finally {
            waiting.decrementAndGet();
        }
    }

    @Override
    public T join() {
        waiting.incrementAndGet();
        try {
            return super.join();
        } finally {
            waiting.decrementAndGet();
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new HandOffFuture<>(stages);
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn, stages);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action, stages);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action, stages);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn, stages);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action, stages);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action, stages);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn, stages);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return acceptEitherAsync(other, action, stages);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action, stages);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn, stages);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn, stages);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action, stages);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn, stages);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn, stages);
    }
}
