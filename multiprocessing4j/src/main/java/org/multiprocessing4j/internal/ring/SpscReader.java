package org.multiprocessing4j.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.multiprocessing4j.internal.ring.RingLayout.ABORT;
import static org.multiprocessing4j.internal.ring.RingLayout.DATA;
import static org.multiprocessing4j.internal.ring.RingLayout.FIRST;
import static org.multiprocessing4j.internal.ring.RingLayout.FIRST_HEADER;
import static org.multiprocessing4j.internal.ring.RingLayout.HEAD;
import static org.multiprocessing4j.internal.ring.RingLayout.LAST;
import static org.multiprocessing4j.internal.ring.RingLayout.LONG;
import static org.multiprocessing4j.internal.ring.RingLayout.MAX_MESSAGE;
import static org.multiprocessing4j.internal.ring.RingLayout.MORE;
import static org.multiprocessing4j.internal.ring.RingLayout.PAD;
import static org.multiprocessing4j.internal.ring.RingLayout.RECORD_HEADER;
import static org.multiprocessing4j.internal.ring.RingLayout.TAIL;
import static org.multiprocessing4j.internal.ring.RingLayout.WHOLE;
import static org.multiprocessing4j.internal.ring.RingLayout.align8;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Arrays;

/**
 * The receiving end of an {@link SpscRing}: returns the writer's messages one by one, in order, each
 * exactly as written (a zero-length message is a message), reassembling those that were streamed in
 * pieces.
 *
 * <table class="striped">
 * <caption>Reading</caption>
 * <tr><th>call</th><th>nothing there</th><th>on timeout</th><th>writer closed or dead, ring drained</th></tr>
 * <tr><td>{@link #read()}</td><td>blocks</td><td>-</td><td>{@link EOFException}</td></tr>
 * <tr><td>{@link #read(Duration)}</td><td>blocks up to the timeout (zero: try once)</td><td>null</td>
 *     <td>{@link EOFException}</td></tr>
 * <tr><td>{@link #poll(Duration)}</td><td>blocks up to the timeout, consumes nothing</td><td>false</td>
 *     <td>true (the next read throws)</td></tr>
 * </table>
 *
 * <p>Contract: one thread at a time reads (the caller serializes); {@link #close()} may be called from
 * any thread. A message returned was fully written before, with everything the writing thread did before
 * writing it (<a href="../shm/package-summary.html#happens-before">cross-process happens-before</a>).
 * End-of-file comes only after every complete message is read: when the writer closed its end, or its
 * process died (noticed within one futex slice of the ring running dry: 20 ms at first, growing to
 * {@link RingEnd#MAX_SLICE_NANOS} while the wait goes on).
 * The pieces of a message the writer did not finish (it died, closed, or aborted) are dropped, never
 * returned. A timed read that gives up mid-message keeps the pieces it has and resumes on the next call.
 * An interrupt is seen when the reader is about to sleep and within one slice (at most
 * {@link RingEnd#MAX_SLICE_NANOS}) while it sleeps; it throws
 * {@link InterruptedException} and consumes nothing more.
 *
 * @see SpscWriter
 */
public final class SpscReader extends RingEnd {
    /** Bytes ever consumed: this end's private copy of the shared head. */
    private long head;
    /** The writer's tail as last read; the true tail is never lower. */
    private long tailSeen;
    /** The message being reassembled from pieces, or null; may be longer than the message (a buffer's array). */
    private byte[] partial;
    /** The length of the message being reassembled. */
    private int partialLength;
    /** The buffer whose array {@link #partial} is, or null for an array of its own. */
    private MessageBuffer partialInto;
    private int filled;

    SpscReader(SpscRing ring) {
        super(ring, RingLayout.READER_END, RingLayout.WRITER_END,
                RingLayout.DATA_SEQUENCE, RingLayout.DATA_SLEEPERS, RingLayout.DATA_ARMED,
                RingLayout.SPACE_SEQUENCE, RingLayout.SPACE_SLEEPERS, RingLayout.SPACE_ARMED);
        this.head = (long) LONG.getAcquire(file, HEAD);
        this.tailSeen = head;
    }

    /**
     * The next message, waiting as long as it takes.
     *
     * @throws EOFException if the writer closed its end or died and every complete message was read
     * @throws java.nio.channels.ClosedChannelException if this end was closed before the call
     * @throws AsynchronousCloseException if this end is closed while the call waits
     * @throws StreamCorruptedException if the ring holds something no writer of this layout writes
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] read() throws IOException, InterruptedException {
        return read0(forever(), null);
    }

    /** As {@link #read()}, waiting at most {@code timeout}; null if no whole message came in time. */
    public byte[] read(Duration timeout) throws IOException, InterruptedException {
        return read0(deadline(timeout), null);
    }

    /**
     * The next message if the ring holds all of it now, else null (pieces of a message still being
     * streamed are kept for a later read). Never waits, and leaves the adaptive spin budget alone (a read
     * with a zero timeout that finds nothing counts as a failed spin).
     *
     * @throws EOFException if the writer closed its end or is known dead and every complete message was read
     */
    public byte[] readNow() throws IOException {
        ensureOpen();
        try {
            for (;;) {
                if (head == tailSeen && !newData()) {
                    if (peerGone()) {
                        if (newData()) {
                            continue;
                        }
                        partial = null;
                        partialInto = null;
                        throw new EOFException("end of " + ring.path() + ": the writer is gone (" + describePeer() + ")");
                    }
                    return null;
                }
                byte[] message = consumeRecord(null);
                if (message != null) {
                    return message;
                }
            }
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /**
     * As {@link #read()}, into {@code into}'s reused array instead of a new one: the message is
     * {@code into.array()[0, into.length())}, valid until the next read into that buffer.
     */
    public void readInto(MessageBuffer into) throws IOException, InterruptedException {
        read0(forever(), into);
    }

    /**
     * Waits up to {@code timeout} until a message (or a piece of one) or end-of-file can be read.
     * Consumes no message.
     *
     * @return true if a read would not block on an empty ring (it may still wait for the rest of a
     *         message being streamed), false at the timeout. A writer whose process died reads as gone
     *         here whatever the timeout: before returning false the writer's process is looked at.
     */
    public boolean poll(Duration timeout) throws IOException, InterruptedException {
        long deadline = deadline(timeout);
        ensureOpen();
        try {
            for (;;) {
                if (head != tailSeen || newData()) {
                    int kind = file.get(JAVA_INT, DATA + (head & mask) + 4);
                    if (kind == PAD || kind == ABORT) {
                        consumeControl(kind);
                        continue;
                    }
                    return true;
                }
                if (closed) {
                    throw new ClosedDuringUse();
                }
                if (peerGone()) {
                    if (newData()) {
                        continue;
                    }
                    return true;
                }
                if (!await(deadline)) {
                    // NOTE: a wait only looks at the peer's process after a futex slice that timed out, which a
                    // zero or short timeout never reaches: look once now, or a poll loop never sees a killed writer
                    if (peerGoneNow()) {
                        continue;
                    }
                    return false;
                }
            }
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /**
     * The length of the next message, to be called after {@link #poll} returned true (it has skipped the
     * control records); -1 if there is none yet or at end-of-file. Consumes nothing.
     */
    public long nextLength() throws IOException {
        ensureOpen();
        try {
            if (partial != null) {
                return partialLength;
            }
            if (head == tailSeen && !newData()) {
                return -1;
            }
            long at = DATA + (head & mask);
            return switch (file.get(JAVA_INT, at + 4)) {
                case WHOLE -> file.get(JAVA_INT, at);
                case FIRST -> file.get(JAVA_LONG, at + RECORD_HEADER);
                default -> -1;
            };
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    private byte[] read0(long deadline, MessageBuffer into) throws IOException, InterruptedException {
        ensureOpen();
        try {
            for (;;) {
                if (head == tailSeen && !newData()) {
                    if (closed) {
                        throw new ClosedDuringUse();
                    }
                    if (peerGone()) {
                        // NOTE: the writer published its last records before CLOSED (release); re-read after it.
                        if (newData()) {
                            continue;
                        }
                        partial = null;
                        partialInto = null;
                        throw new EOFException("end of " + ring.path() + ": the writer is gone (" + describePeer() + ")");
                    }
                    if (!await(deadline)) {
                        return null;
                    }
                    continue;
                }
                byte[] message = consumeRecord(into);
                if (message != null) {
                    return message;
                }
            }
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /**
     * Consumes the record at head; returns the message it completes (in {@code into}'s array when
     * {@code into} is not null, with its length recorded there), or null.
     */
    private byte[] consumeRecord(MessageBuffer into) throws StreamCorruptedException {
        int index = (int) (head & mask);
        long at = DATA + index;
        int length = file.get(JAVA_INT, at);
        int kind = file.get(JAVA_INT, at + 4);
        switch (kind) {
            case PAD, ABORT -> {
                consumeControl(kind);
                return null;
            }
            case WHOLE -> {
                checkRecord(index, RECORD_HEADER, length, kind, partial == null);
                byte[] message = into != null ? into.room(length) : new byte[length];
                MemorySegment.copy(file, JAVA_BYTE, at + RECORD_HEADER, message, 0, length);
                consume(RECORD_HEADER + align8(length));
                if (into != null) {
                    into.filled(message, length);
                }
                return message;
            }
            case FIRST -> {
                long total = file.get(JAVA_LONG, at + RECORD_HEADER);
                checkRecord(index, FIRST_HEADER, length, kind,
                        partial == null && total > length && total <= MAX_MESSAGE);
                partial = into != null ? into.room((int) total) : new byte[(int) total];
                partialLength = (int) total;
                partialInto = into;
                MemorySegment.copy(file, JAVA_BYTE, at + FIRST_HEADER, partial, 0, length);
                filled = length;
                consume(FIRST_HEADER + align8(length));
                return null;
            }
            case MORE, LAST -> {
                long after = (long) filled + length;
                checkRecord(index, RECORD_HEADER, length, kind, partial != null
                        && (kind == MORE ? after < partialLength : after == partialLength));
                MemorySegment.copy(file, JAVA_BYTE, at + RECORD_HEADER, partial, filled, length);
                filled += length;
                consume(RECORD_HEADER + align8(length));
                if (kind == MORE) {
                    return null;
                }
                return completePartial(into);
            }
            default -> throw corrupt(index, "unknown record kind " + kind);
        }
    }

    /**
     * The reassembled message, handed over as the current read wants it. It was started by a read of the
     * other kind only when that read gave up midway (a timeout or an interrupt): then it is copied.
     */
    private byte[] completePartial(MessageBuffer into) {
        byte[] message = partial;
        int n = partialLength;
        MessageBuffer startedInto = partialInto;
        partial = null;
        partialInto = null;
        if (into == null) {
            return startedInto == null ? message : Arrays.copyOf(message, n);
        }
        if (startedInto != into) {
            byte[] room = into.room(n);
            System.arraycopy(message, 0, room, 0, n);
            message = room;
        }
        into.filled(message, n);
        return message;
    }

    /** Skips a PAD (to the end of the data area) or an ABORT (dropping the pieces so far). */
    private void consumeControl(int kind) {
        if (kind == ABORT) {
            partial = null;
            partialInto = null;
            consume(RECORD_HEADER);
        } else {
            consume(capacity - (int) (head & mask));
        }
    }

    private void checkRecord(int index, int header, int length, int kind, boolean fitsSequence)
            throws StreamCorruptedException {
        if (length < 0 || (long) index + header + length > capacity) {
            throw corrupt(index, "record of kind " + kind + " with length " + length + " does not fit");
        }
        if (!fitsSequence) {
            throw corrupt(index, "record of kind " + kind + " out of sequence (partial "
                    + (partial == null ? "none" : filled + "/" + partialLength) + ")");
        }
    }

    private StreamCorruptedException corrupt(int index, String what) {
        return new StreamCorruptedException(ring.path() + " at position " + head + " (offset " + index + "): " + what);
    }

    private void consume(int bytes) {
        head += bytes;
        // NOTE: release: our reads of the record happen before the writer may overwrite it.
        LONG.setRelease(file, HEAD, head);
        wakePeer();
    }

    private boolean newData() {
        tailSeen = (long) LONG.getAcquire(file, TAIL);
        return tailSeen != head;
    }

    @Override
    boolean ready() {
        return closed || newData() || peerGone();
    }

    @Override
    public String toString() {
        return "SpscReader[" + ring.path() + ", head " + head + (closed ? ", closed" : "") + "]";
    }
}
