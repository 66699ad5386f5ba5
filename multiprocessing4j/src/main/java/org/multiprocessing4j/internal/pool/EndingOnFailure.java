package org.multiprocessing4j.internal.pool;

import java.lang.ref.Reference;
import java.util.Iterator;

/**
 * The results of a {@code ProcessPoolExecutor.map} as its stream reads them: the first exception they throw
 * (a task's, the input's, an interrupt) also stops reading the input and cancels the chunks no worker has
 * started, as CPython's {@code Executor.map} generator cancels its pending futures when it raises. Without
 * this, a stream whose terminal operation threw (and that no one closes) kept its look-ahead of chunks
 * running, ahead of later tasks, and its input reader parked until the executor shut down. A stream dropped
 * (garbage collected) unclosed with results unread ends the same way. As thread-safe as
 * the {@link ImapJob} it wraps.
 *
 * @param <R> the type of the results
 */
public final class EndingOnFailure<R> implements Iterator<R> {
    private final ImapJob<R> results;

    private EndingOnFailure(ImapJob<R> results) {
        this.results = results;
    }

    /**
     * {@code results}, ended on their first exception.
     *
     * @param <R> the type of the results
     * @param results the map's results
     * @return the iterator the map's stream reads
     */
    public static <R> Iterator<R> of(ImapJob<R> results) {
        EndingOnFailure<R> it = new EndingOnFailure<>(results);
        // NOTE: a stream dropped unclosed and undrained (findFirst, limit, an abandoned iterator) ends as a
        // closed one, as CPython's map generator cancels its pending futures when it is collected
        ImapIterator.whenDropped(it, () -> results.cancelUnstarted(new IllegalStateException("this map's stream was dropped")));
        return it;
    }

    @Override
    public boolean hasNext() {
        try {
            return results.hasNext();
        } catch (RuntimeException | Error e) {
            ended(e);
            throw e;
        } finally {
            Reference.reachabilityFence(this); // NOTE: see ImapIterator
        }
    }

    @Override
    public R next() {
        try {
            return results.next();
        } catch (RuntimeException | Error e) {
            ended(e);
            throw e;
        } finally {
            Reference.reachabilityFence(this); // NOTE: see ImapIterator
        }
    }

    private void ended(Throwable e) {
        try {
            results.cancelUnstarted(new IllegalStateException("this map's stream threw " + e.getClass().getName()
                    + " at an earlier position: the rest of its input is not run"));
        } catch (RuntimeException | Error cancelFailed) {
            e.addSuppressed(cancelFailed);
        }
    }
}
