package org.multiprocessing4j.internal.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.ProcessExecutionException;
import org.multiprocessing4j.ResultIterator;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * One {@code imap}/{@code imapUnordered} call. A feeder thread reads the input lazily, one chunk at a
 * time, and queues a task per chunk, never more than {@code lookahead} chunks ahead of the consumer (a
 * chunk counts until the consumer has taken all its results), so an endless input runs in constant memory.
 * Results come back in input order ({@code ordered}) or as chunks finish.
 *
 * <p>A chunk that cannot be serialized fails on its own, as a task that raised would: the iterator throws
 * its {@code IllegalArgumentException} (or the Error its encoding threw, such as a
 * {@code StackOverflowError}) where that chunk's results would have come (for an unordered call, somewhere
 * among the results), and later calls go on with the other chunks. The whole chunk fails, its serializable
 * items too (as in CPython, which pickles a chunk as one task). An exception from the input itself still
 * ends the iteration, after the results of the items read before it.
 */
/*
 * Implementation notes
 *
 * Positions. Chunk k holds input items [k*chunksize, (k+1)*chunksize). The feeder numbers chunks as it
 * queues them; `fed` is how many it queued; `total` becomes `fed` when it stops, with `stopError` set if it
 * stopped for a reason other than the end of the input (the input threw, the pool closed, terminated or
 * broke, the feeder was interrupted). The consumer throws stopError after every chunk before it, then ends.
 *
 * Unsendable chunks. A chunk whose encoding fails is numbered and counted in `fed` and `inFlight` like a
 * queued one, and its failed Outcome is recorded at once (arrived), without a task: the consumer takes it
 * in its turn, which throws the encoding's exception and uncounts it from inFlight, as any failed chunk.
 * The feeder goes on with the next chunk. An Error thrown by the encoding (a StackOverflowError from a
 * deeply nested item) is handled the same way, so it neither ends the feeder thread nor cuts the
 * iteration short without an exception.
 *
 * Stopping. Close, terminate and a broken pool call stopFeeding, which never waits for the feeder: the
 * feeder may be blocked in the user's input for ever. `reading` is true from the top of the feeder's loop
 * until it counts the chunk it read (or leaves): the stretch in which it can block in the input's
 * hasNext/next. Elsewhere it cannot block for long (its wait ends on stopFeeding's notifyAll; submit
 * refuses a stopped pool at once, and a chunk it refuses is uncounted). Once a stop is requested and the
 * feeder is reading, the consumer does not wait for it: having taken every chunk fed, it sets `total =
 * fed` itself and throws stopError. Whoever sets `total` first decides the end; the other leaves it
 * alone. A feeder that comes back from the input after a stop checks stopRequested before it counts a
 * chunk, so what it read is dropped, never submitted. It is not interrupted (an interrupt could close the
 * user's InterruptibleChannel, or be swallowed by the input); it is a daemon thread and ends when the
 * input returns. After a stop the feeder still asks hasNext() once, so that an input already at its end
 * ends the iteration cleanly; if that call has not answered when the consumer gets there, the stop's
 * error wins.
 *
 * Bound. `inFlight` counts chunks queued and not yet fully consumed; the feeder waits while it is at
 * `lookahead`. Both sides use this object's monitor.
 *
 * Consumers. current/position/nextChunk/ended are the consumer's; `consuming` makes each hasNext/next one
 * step, so that threads sharing the iterator neither take one chunk's slot twice nor overwrite each
 * other's `current` (a result lost). It is taken before this monitor, never under it.
 */
public final class ImapJob<R> implements TaskSink, PoolEngine.Feeder, ResultIterator<R> {
    /** Items a chunk makes room for at once; a larger chunk's array grows as its items are read. */
    private static final int CHUNK_ROOM = 1 << 16;

    private final PoolEngine engine;
    private final boolean ordered;
    private final int chunksize;
    private final int lookahead;
    /** Tasks queued and not answered yet, for {@link #cancelUnstarted}; guarded by this. */
    private final Set<Task> outstanding = new HashSet<>();
    /** Set by {@link #cancelUnstarted}, its reason: a task the feeder queues from now on is cancelled too; guarded by this. */
    private String cancelling;
    private final Iterator<?> input;
    private final byte kind;
    private final byte[] function;
    private final long functionId;
    private final ProgressBar bar;

    // guarded by this
    private final Map<Integer, Outcome> finished = new HashMap<>();
    private final ArrayDeque<Outcome> arrivals = new ArrayDeque<>();
    private int fed;
    private int total = -1;
    private RuntimeException stopError;
    private boolean stopRequested;
    private boolean reading; // see Stopping
    private int inFlight;

    // consumer side, guarded by consuming
    /**
     * Held by a consuming call from its check to its take: a {@code next} returns a result no other
     * call returns, whichever threads call (CPython's {@code IMapIterator.next} may be shared).
     */
    private final ReentrantLock consuming = new ReentrantLock();
    private int nextChunk;
    private int chunksTaken;
    private List<?> current = List.of();
    private int position;
    private boolean ended;

    private record Outcome(int index, List<?> values, Throwable error) {
    }

    private ImapJob(PoolEngine engine, boolean ordered, int chunksize, Iterator<?> input, byte kind, byte[] function, long items) {
        this.engine = engine;
        this.ordered = ordered;
        this.chunksize = chunksize;
        // NOTE: 8 chunks per worker: with 2 per worker, a 1 M-item imapUnordered in chunks of 1,000 kept
        // stopping on the wake-ups between feeder, workers, relays and consumer (median 5.8-6.4 M items/s,
        // 6.3-8.8 with 8, same machine); memory stays bounded, as the test of the bound checks
        this.lookahead = 8 * engine.processes();
        this.input = input;
        this.kind = kind;
        this.function = function;
        this.functionId = engine.nextFunctionId();
        this.bar = engine.progressBar(ordered ? "imap" : "imap_unordered", items);
    }

    /**
     * Starts an imap of {@code fn} (a SerializableFunction, or a SerializableBiFunction over Map.Entry items
     * when {@code star}) over {@code input}, of {@code items} items if known (else -1, for the progress bar).
     *
     * @throws IllegalArgumentException if {@code fn} cannot be serialized or chunksize is below 1
     * @throws IllegalStateException    if the pool takes no new tasks
     */
    public static <R> ImapJob<R> start(PoolEngine engine, Object fn, boolean star, Iterator<?> input, int chunksize, boolean ordered,
                                       long items) {
        Chunking.checked(chunksize);
        engine.checkTakingCalls();
        byte[] function = engine.codec().encode(fn, "the function of an imap call");
        ImapJob<R> job = new ImapJob<>(engine, ordered, chunksize, input, star ? TaskMessages.STARMAP : TaskMessages.MAP, function, items);
        engine.addFeeder(job);
        Thread feeder = new Thread(job::feed, engine.name() + "-imap-feeder");
        feeder.setDaemon(true);
        feeder.start();
        return job;
    }

    // ---------------------------------------------------------------- feeder

    private void feed() {
        RuntimeException error = null;
        boolean inputEnded = false;
        // NOTE: a chunksize is a bound, not a count held: room for at most CHUNK_ROOM items is made at once
        Chunking.Collector chunk = new Chunking.Collector(kind == TaskMessages.STARMAP, Math.min(chunksize, CHUNK_ROOM));
        try {
            while (true) {
                boolean stopped;
                synchronized (this) {
                    while (inFlight >= lookahead && !stopRequested) {
                        wait();
                    }
                    stopped = stopRequested;
                    reading = true;
                    if (stopped) {
                        notifyAll(); // NOTE: a consumer waiting on this stopped feeder may end now
                    }
                }
                chunk.clear(); // NOTE: the previous chunk's list was encoded and dropped
                try {
                    if (stopped) {
                        inputEnded = !hasMoreInput(); // nothing was left unread: the stop is no error
                        break;
                    }
                    while (chunk.count() < chunksize && input.hasNext()) {
                        chunk.add(input.next());
                    }
                } catch (RuntimeException | Error e) {
                    error = e instanceof RuntimeException re ? re : new ProcessError("the input of an imap call failed: " + e, e);
                    if (chunk.count() == 0) {
                        break;
                    }
                }
                if (chunk.count() == 0) {
                    break;
                }
                long id = engine.nextTaskId();
                EncodedMessage message = null;
                Throwable unsendable = null;
                try {
                    message = engine.codec().encodeMessage(TaskMessages.mapHead(kind, id, functionId, function.length), function,
                            chunk.travelling(), "an item of an imap call");
                } catch (RuntimeException | Error e) {
                    // NOTE: fails this chunk only, at its place (see Unsendable chunks); an Error too (a
                    // StackOverflowError from a deeply nested item), which would otherwise end this thread
                    unsendable = e;
                }
                int index;
                synchronized (this) {
                    reading = false;
                    if (stopRequested) {
                        break; // NOTE: read before or during a stop: dropped, so nothing reaches the stopped pool
                    }
                    index = fed++;
                    inFlight++;
                }
                if (unsendable != null) {
                    arrived(new Outcome(index, null, unsendable));
                } else {
                    Task task = new Task(id, message, this, index, null);
                    synchronized (this) {
                        outstanding.add(task);
                    }
                    try {
                        engine.submit(task);
                    } catch (RuntimeException | Error e) {
                        synchronized (this) {
                            outstanding.remove(task);
                            inFlight--;
                            fed--;
                        }
                        error = e instanceof RuntimeException re ? re : new ProcessError("an imap task could not be queued: " + e, e);
                        break;
                    }
                    String cancel;
                    synchronized (this) {
                        cancel = cancelling;
                    }
                    // NOTE: counted before a cancel, queued after its look: cancelUnstarted did not see it
                    if (cancel != null && engine.cancelPending(task)) {
                        failed(task, new PoolCancellation(cancel));
                    }
                }
                if (error != null || chunk.count() < chunksize) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            error = new ProcessError("the input reader of an imap call was interrupted", e);
        } catch (RuntimeException | Error e) {
            // NOTE: unexpected (no memory for a chunk): end the iteration with it, never silently
            error = new ProcessError("the input reader of an imap call failed: " + e, e);
        } finally {
            synchronized (this) {
                if (total < 0) { // else the consumer ended the iteration after a stop (see Stopping)
                    total = fed;
                    if (inputEnded) {
                        stopError = null;
                    } else if (stopError == null) {
                        stopError = error;
                    }
                }
                notifyAll();
            }
            engine.removeFeeder(this);
        }
    }

    private boolean hasMoreInput() {
        try {
            return input.hasNext();
        } catch (RuntimeException | Error e) {
            return true;
        }
    }

    @Override
    public synchronized void stopFeeding(RuntimeException why) {
        if (total < 0 && !stopRequested) {
            stopRequested = true;
            stopError = why;
        }
        notifyAll();
    }

    /**
     * As {@link #stopFeeding}, and the chunks queued that no worker has started never run (CPython's
     * {@code Executor.map} generator cancels its pending futures when it is closed): they are taken out of
     * the pool's queue or back from the worker they were sent ahead to, and count as cancelled. Chunks
     * running or done are left alone. Never waits for a worker (at most for a task message being sent to one to be whole).
     */
    public void cancelUnstarted(RuntimeException why) {
        stopFeeding(why);
        List<Task> queued;
        String reason;
        synchronized (this) {
            if (cancelling == null) {
                cancelling = why.getMessage();
            }
            reason = cancelling;
            queued = new ArrayList<>(outstanding);
        }
        // NOTE: outside this monitor: cancelPending takes the pool's lock, under which answers reach this job
        for (Task task : queued) {
            if (engine.cancelPending(task)) {
                failed(task, new PoolCancellation(reason));
            }
        }
    }

    // ---------------------------------------------------------------- outcomes

    @Override
    public void succeeded(Task task, Object value) {
        arrived(task, new Outcome(task.index, (List<?>) value, null));
    }

    @Override
    public void failed(Task task, Throwable error) {
        arrived(task, new Outcome(task.index, null, error));
    }

    private synchronized void arrived(Task task, Outcome outcome) {
        outstanding.remove(task);
        arrived(outcome);
    }

    @Override
    public boolean packedResults() {
        return true;
    }

    private synchronized void arrived(Outcome outcome) {
        if (bar != null && outcome.values != null) {
            bar.advance(outcome.values.size());
        }
        if (ordered) {
            finished.put(outcome.index, outcome);
        } else {
            arrivals.add(outcome);
        }
        notifyAll();
    }

    // ---------------------------------------------------------------- consumer

    @Override
    public boolean hasNext() {
        lockUninterrupted();
        try {
            return awaitUninterrupted();
        } finally {
            consuming.unlock();
        }
    }

    @Override
    public R next() {
        lockUninterrupted();
        try {
            if (!awaitUninterrupted()) {
                throw new NoSuchElementException("every imap result has been returned");
            }
            return take();
        } finally {
            consuming.unlock();
        }
    }

    @Override
    public R next(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + Timeouts.nanos(timeout);
        // NOTE: another thread's call may hold the lock while it waits: that wait counts in this timeout
        if (!consuming.tryLock() && !consuming.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("no imap result arrived in time (another thread was taking one)");
        }
        try {
            if (!await(deadline)) {
                throw new NoSuchElementException("every imap result has been returned");
            }
            return take();
        } finally {
            consuming.unlock();
        }
    }

    private void lockUninterrupted() {
        if (consuming.tryLock()) {
            return; // NOTE: uncontended, an interrupted thread still gets a result already here, as before the lock
        }
        try {
            consuming.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while waiting for the next imap result", e);
        }
    }

    private boolean awaitUninterrupted() {
        try {
            return await(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while waiting for the next imap result", e);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @SuppressWarnings("unchecked")
    private R take() {
        return (R) current.get(position++);
    }

    /**
     * Makes {@code current[position]} the next result, throwing a failed chunk's or the stop's error on
     * the way; false at the end. {@code deadline} is a {@code System.nanoTime()} value.
     */
    private boolean await(long deadline) throws InterruptedException, TimeoutException {
        if (position < current.size()) {
            return true;
        }
        if (ended) {
            return false;
        }
        Outcome outcome;
        synchronized (this) {
            while (true) {
                if (ordered ? finished.containsKey(nextChunk) : !arrivals.isEmpty()) {
                    outcome = ordered ? finished.remove(nextChunk) : arrivals.poll();
                    nextChunk++;
                    chunksTaken++;
                    inFlight--;
                    notifyAll();
                    break;
                }
                if (total < 0 && stopRequested && reading && chunksTaken >= fed) {
                    total = fed; // NOTE: the feeder is in the input after a stop: it will count no more chunks
                }
                if (total >= 0 && chunksTaken >= total) {
                    ended = true;
                    if (bar != null) {
                        bar.finish();
                    }
                    RuntimeException stop = stopError;
                    if (stop != null) {
                        throw stop;
                    }
                    return false;
                }
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no imap result arrived in time");
                }
                if (left == Long.MAX_VALUE) {
                    wait();
                } else {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
        }
        current = outcome.values != null ? outcome.values : List.of();
        position = 0;
        if (outcome.error != null) {
            throw rethrowable(outcome.error);
        }
        return await(deadline);
    }

    private static RuntimeException rethrowable(Throwable error) {
        if (error instanceof RuntimeException re) {
            return re;
        }
        if (error instanceof Error e) {
            throw e;
        }
        return new ProcessExecutionException("an imap task raised " + error, error);
    }
}
