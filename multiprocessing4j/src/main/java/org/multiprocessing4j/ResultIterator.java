package org.multiprocessing4j;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;

/**
 * The results of {@link Pool#imap} and {@link Pool#imapUnordered}, as they arrive: Python's
 * {@code IMapIterator}. The input is read lazily, a bounded number of chunks ahead of the consumer, so an
 * endless input streams in constant memory.
 *
 * <p>{@link #hasNext()} and {@link #next()} block until the next result (or the end) is known. A task's
 * exception is thrown by the {@code hasNext}/{@code next} call that reaches its position: unchecked ones as themselves,
 * checked ones wrapped in {@link ProcessExecutionException}; the iterator then goes on with the results
 * after it. With a chunksize above 1 a task is a chunk: an item's exception fails its whole chunk (the
 * other items' results in it are not returned, as in CPython) and is thrown once, in the chunk's place;
 * the later chunks' results follow (CPython's chunked {@code imap} ends at the error). An exception
 * thrown by the <em>input</em> iterator is thrown after every result before it,
 * and ends the iteration. An interrupt while blocked in {@code hasNext}/{@code next()} restores the flag
 * and throws {@link ProcessError} with the {@link InterruptedException} as cause; {@link #next(Duration)}
 * throws the {@code InterruptedException} itself. After {@link Pool#terminate()} a blocked or later call
 * throws {@link java.util.concurrent.CancellationException}; after {@link Pool#close()}, the results of
 * the items read before it are returned, then {@link IllegalStateException} (see {@link Pool}). Neither
 * waits for the input: if the pool stops while the input's {@code hasNext}/{@code next} is blocked, the
 * pool's reading thread (a daemon) is left in that call, not interrupted; it ends when the call returns,
 * and drops what it returned (that item reaches no worker). Thread-safe, as CPython's {@code IMapIterator}
 * is: threads sharing one iterator each get distinct results, every result once; a {@code hasNext} that
 * answered true reserves nothing, so another thread's {@code next} may take that result first (then
 * {@code next} throws {@link NoSuchElementException}); calls wait for each other, and the time
 * {@link #next(Duration)} waits for another thread's call counts in its timeout. An iterator dropped
 * (garbage collected) with results unread stops reading the input, as a close would; the chunks already
 * queued still run.
 *
 * @param <R> the type of the results
 */
public interface ResultIterator<R> extends Iterator<R> {

    /**
     * The next result, waiting at most {@code timeout} for it (Python's {@code next(timeout)}).
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the next result
     * @throws TimeoutException       if it does not arrive in time (a later call may still return it)
     * @throws NoSuchElementException if every result has been returned
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    R next(Duration timeout) throws InterruptedException, TimeoutException;
}
