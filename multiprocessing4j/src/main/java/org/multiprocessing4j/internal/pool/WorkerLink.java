package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.multiprocessing4j.internal.ring.MessageBuffer;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * The pool's line to one worker, wherever it runs (DESIGN.md §6). One thread receives while others send.
 * {@link #receive()} throws {@link java.io.EOFException} (or another {@link IOException}) once the worker
 * is gone or {@link #closeChannel()} was called, never hangs on a dead worker.
 */
public interface WorkerLink {
    /** A name for messages, such as {@code PoolWorker-3}. */
    String name();

    /** The worker's pid, or -1 where it has none. */
    long pid();

    /** The table that tells, per slot, whether the task sent in it has started. */
    TaskSlots slots();

    /** Sends one task message. */
    void send(byte[] message) throws IOException;

    /**
     * Sends one task message given in parts (large arguments referenced, not copied). By default the parts
     * are joined into one array first; a link that can copy them straight into its channel overrides this.
     */
    default void send(EncodedMessage message) throws IOException {
        send(message.toByteArray());
    }

    /**
     * Sends the first of {@code messages} that can go at once without waiting, together (one wake-up of the
     * worker); returns how many were sent, each whole. By default none: the caller sends them one by one.
     */
    default int sendNow(List<EncodedMessage> messages) throws IOException {
        return 0;
    }

    /** The next answer message; blocks until one arrives or the worker is gone. */
    byte[] receive() throws IOException, InterruptedException;

    /**
     * As {@link #receive()}, into {@code into}: the message is {@code into.array()[0, into.length())}, valid
     * until the next receive into that buffer. By default the message arrives in a new array as from
     * {@link #receive()}; a link whose channel can fill a reused array overrides this.
     */
    default void receiveInto(MessageBuffer into) throws IOException, InterruptedException {
        into.set(receive());
    }

    /**
     * The next answer message if one has arrived, else null; never blocks. By default null: a link that can
     * tell cheaply overrides this, and its relay then handles the answers that wait in one batch.
     *
     * @throws IOException once the worker is gone and every answer was read
     */
    default byte[] receiveNow() throws IOException {
        return null;
    }

    /** Ends the channel from this side: the worker reads EOF after what was sent, then exits. */
    void closeChannel();

    /** After the worker has ended: releases what the channel holds (its shared-memory files included). */
    void release();

    /** Kills the worker now (SIGKILL locally). Idempotent. */
    void kill();

    /**
     * Waits at most {@code timeout} for the worker to end and returns its exit code ({@code -N}: signal
     * {@code N}), or {@code null} if it still runs.
     */
    Integer awaitExit(Duration timeout) throws InterruptedException;

    /** Called once when the worker has ended by any means (used to unblock {@link #receive()}). */
    void onExit(Runnable action);
}
