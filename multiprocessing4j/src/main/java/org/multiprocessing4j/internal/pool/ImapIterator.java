package org.multiprocessing4j.internal.pool;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.multiprocessing4j.ResultIterator;

/**
 * The iterator a {@code Pool.imap}/{@code imapUnordered} caller holds, over its {@link ImapJob}. Once the
 * caller drops it (unreachable, garbage collected) with results unread, the job stops reading its input:
 * its reader thread ends instead of waiting, parked, until the pool closes (one thread and up to a
 * look-ahead of results kept per dropped iterator). The chunks already queued still run, as the tasks of
 * an abandoned CPython {@code IMapIterator} do.
 *
 * @param <R> the type of the results
 */
public final class ImapIterator<R> implements ResultIterator<R> {
    private static final Cleaner CLEANER = Cleaner.create(r -> Thread.ofPlatform().daemon().name("mp4j-imap-cleaner").unstarted(r));

    private final ImapJob<R> job;

    private ImapIterator(ImapJob<R> job) {
        this.job = job;
    }

    /**
     * {@code job}'s results, its input reading stopped once the iterator returned is dropped.
     *
     * @param <R> the type of the results
     * @param job the imap call
     * @return the iterator for the caller
     */
    public static <R> ResultIterator<R> of(ImapJob<R> job) {
        ImapIterator<R> it = new ImapIterator<>(job);
        whenDropped(it, () -> job.stopFeeding(new IllegalStateException("the imap's iterator was dropped")));
        return it;
    }

    /**
     * Runs {@code action} once {@code holder} is unreachable. {@code action} must not refer to
     * {@code holder}; an exception it throws is dropped (no one is left to tell).
     */
    static void whenDropped(Object holder, Runnable action) {
        // NOTE: the feeder thread and the pool hold the job, never its holder: the holder's reachability
        // is the caller's
        CLEANER.register(holder, () -> {
            try {
                action.run();
            } catch (RuntimeException | Error ignored) {
                // the pool may be gone; nothing is owed to a caller who dropped the results
            }
        });
    }

    // NOTE: each call fences this iterator: in `pool.imap(f, xs).next()` it is otherwise unreachable once
    // the job is loaded, and collecting it would stop the input under the waiting call

    @Override
    public boolean hasNext() {
        try {
            return job.hasNext();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public R next() {
        try {
            return job.next();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public R next(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return job.next(timeout);
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
