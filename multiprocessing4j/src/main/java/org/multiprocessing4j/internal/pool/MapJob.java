package org.multiprocessing4j.internal.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.RandomAccess;
import java.util.function.Consumer;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.internal.wire.EncodedMessage;
import org.multiprocessing4j.internal.wire.PackedList;

/**
 * One {@code map}/{@code mapAsync}/{@code starmap} call: the input cut into chunks, one task each, all queued
 * at once; the result is the concatenation of the chunks' results in input order. Not fail-fast (CPython's
 * rule): the first error to arrive is the call's outcome, given once every chunk has finished; a chunk
 * cancelled by the pool (terminate) makes it a cancellation, as for any result not ready then. A chunk
 * that cannot be serialized fails the call with {@link IllegalArgumentException} after the chunks already
 * queued have finished, and nothing after it is queued.
 */
public final class MapJob<R> implements TaskSink {
    private final PoolAsyncResult<List<R>> result;
    private final List<?>[] parts;
    private final ProgressBar bar;
    private final int chunksize;
    private final int items;
    private int remaining;
    private Throwable firstError;

    private MapJob(PoolAsyncResult<List<R>> result, int chunks, int chunksize, int items, ProgressBar bar) {
        this.result = result;
        this.parts = new List<?>[chunks];
        this.remaining = chunks;
        this.chunksize = chunksize;
        this.items = items;
        this.bar = bar;
    }

    /**
     * Queues {@code items} in chunks of {@code chunksize} (0: CPython's default) for {@code fn}, a
     * SerializableFunction ({@code star} false) or SerializableBiFunction over Map.Entry items.
     *
     * @throws IllegalArgumentException if {@code fn} cannot be serialized or chunksize is negative
     * @throws IllegalStateException    if the pool takes no new tasks
     */
    public static <R> AsyncResult<List<R>> submit(PoolEngine engine, Object fn, boolean star, Iterable<?> items, int chunksize,
                                                  Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        engine.checkTakingCalls();
        // NOTE: a chunk is a subList of the input: of a list without random access (a LinkedList) each chunk
        // walked it from an end, n²/(2 × chunksize) steps for the call; such a list is copied first, as any Iterable
        List<?> input = items instanceof List<?> l && l instanceof RandomAccess ? l : copy(items);
        int size = chunksize == 0 ? Chunking.defaultChunksize(input.size(), engine.processes()) : Chunking.checked(chunksize);
        byte[] function = engine.codec().encode(fn, "the function of a map call");
        long fnId = engine.nextFunctionId();
        int chunks = (int) ((input.size() + (long) size - 1) / size);
        PoolAsyncResult<List<R>> result = new PoolAsyncResult<>(engine, callback, errorCallback);
        MapJob<R> job = new MapJob<>(result, chunks, size, input.size(), engine.progressBar(star ? "starmap" : "map", input.size()));
        if (chunks == 0) {
            result.complete(new ArrayList<>());
            return result;
        }
        // NOTE: the call's result is its whole list, so no single chunk's answer is awaited alone
        byte kind = (byte) ((star ? TaskMessages.STARMAP : TaskMessages.MAP) | TaskMessages.UNHURRIED);
        Chunking.Collector collector = new Chunking.Collector(star, Math.min(size, input.size()));
        for (int i = 0; i < chunks; i++) {
            long id = engine.nextTaskId();
            EncodedMessage message;
            try {
                int from = i * size; // NOTE: i < chunks, so i * size < input.size()
                List<Object> chunk = collector.travelling(input.subList(from, (int) Math.min(input.size(), (long) from + size)));
                message = engine.codec().encodeMessage(TaskMessages.mapHead(kind, id, fnId, function.length), function, chunk, "an item of a map call");
            } catch (RuntimeException e) {
                job.giveUp(chunks - i, e);
                return result;
            }
            try {
                engine.submit(new Task(id, message, job, i, null));
            } catch (RuntimeException e) {
                job.giveUp(chunks - i, e);
                return result;
            }
        }
        return result;
    }

    private static List<?> copy(Iterable<?> items) {
        if (items instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        List<Object> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    /** {@code unsent} chunks will never run: count them as finished with {@code error}. */
    private void giveUp(int unsent, Throwable error) {
        finish(-1, null, error, unsent);
    }

    @Override
    public void succeeded(Task task, Object value) {
        finish(task.index, (List<?>) value, null, 1);
    }

    @Override
    public void failed(Task task, Throwable error) {
        finish(task.index, null, error, 1);
    }

    @Override
    public boolean packedResults() {
        return true;
    }

    private void finish(int index, List<?> values, Throwable error, int count) {
        Throwable outcome;
        synchronized (this) {
            if (index >= 0 && values != null) {
                parts[index] = values;
            }
            if (error != null && (firstError == null || error instanceof PoolCancellation && !(firstError instanceof PoolCancellation))) {
                // NOTE: the pool's own cancellation (terminate) wins over a chunk's error: the call is not ready
                // until every chunk ended, and a result not ready at terminate is cancelled (AsyncResult's contract)
                firstError = error;
            }
            remaining -= count;
            if (bar != null && index >= 0) {
                bar.advance(Math.min(chunksize, items - (long) index * chunksize));
            }
            if (remaining > 0) {
                return;
            }
            outcome = firstError;
        }
        if (bar != null) {
            bar.finish();
        }
        if (outcome != null) {
            result.fail(outcome);
            return;
        }
        // NOTE: packed chunks (all Integers or all Longs) stay one primitive array: see PackedList
        @SuppressWarnings("unchecked")
        List<R> typed = (List<R>) PackedList.concat(parts);
        result.complete(typed);
    }
}
