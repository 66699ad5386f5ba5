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
import static org.multiprocessing4j.internal.ring.RingLayout.recordSize;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The sending end of an {@link SpscRing}: writes framed messages (any length from 0 to
 * {@link RingLayout#MAX_MESSAGE} bytes, each delivered whole and separately, never merged). A message of up
 * to a quarter of the ring goes in as one record; a longer one streams through in pieces as the reader frees
 * space, and the reader assembles it.
 *
 * <table class="striped">
 * <caption>Writing</caption>
 * <tr><th>call</th><th>ring full</th><th>on timeout</th></tr>
 * <tr><td>{@link #write(byte[], int, int)}</td><td>blocks until space, reader gone, close</td><td>-</td></tr>
 * <tr><td>{@link #write(byte[], int, int, Duration)}</td><td>blocks up to the timeout (zero: try once)</td>
 *     <td>returns false, nothing delivered</td></tr>
 * </table>
 *
 * <p>Contract: one thread at a time writes (the caller serializes); {@link #close()} may be called from
 * any thread. A returned write is visible to the reader process, with everything this thread did before
 * it (<a href="../shm/package-summary.html#happens-before">cross-process happens-before</a>). If the
 * wait for space ends early (interrupt, timeout) after part of a streamed message went out, an abort
 * record follows so the reader drops those pieces: a message is delivered whole or not at all. When the
 * writer's process dies mid-message, the reader sees end-of-file and never a torn message.
 *
 * @see SpscReader
 */
public final class SpscWriter extends RingEnd {
    private final int maxWhole;
    private final int maxPiece;
    /** Bytes ever published: this end's private copy of the shared tail. */
    private long tail;
    /** The reader's head as last read; the true head is never lower. */
    private long headSeen;
    /** Free bytes the waiting write needs (read by {@link #ready()}). */
    private long needed;
    /** Whether something was published by {@link #writeUnannounced} and the reader not woken for it since. */
    private boolean unannounced;

    SpscWriter(SpscRing ring) {
        super(ring, RingLayout.WRITER_END, RingLayout.READER_END,
                RingLayout.SPACE_SEQUENCE, RingLayout.SPACE_SLEEPERS, RingLayout.SPACE_ARMED,
                RingLayout.DATA_SEQUENCE, RingLayout.DATA_SLEEPERS, RingLayout.DATA_ARMED);
        this.maxWhole = capacity / 4;
        this.maxPiece = maxWhole - FIRST_HEADER;
        this.tail = (long) LONG.getAcquire(file, TAIL);
        this.headSeen = (long) LONG.getAcquire(file, HEAD);
    }

    /**
     * Writes {@code len} bytes of {@code src} from {@code off} as one message, waiting for space as long as
     * it takes.
     *
     * @throws BrokenRingException if the reader end is closed or its process died
     * @throws java.nio.channels.ClosedChannelException if this end was closed before the call
     * @throws AsynchronousCloseException if this end is closed while the call waits
     * @throws InterruptedException if interrupted while waiting for space; nothing is delivered
     * @throws IllegalArgumentException if {@code len} is over {@link RingLayout#MAX_MESSAGE}; nothing is delivered
     */
    public void write(byte[] src, int off, int len) throws IOException, InterruptedException {
        write0(src, off, len, forever());
    }

    /**
     * As {@link #write(byte[], int, int)}, waiting at most {@code timeout} for space.
     *
     * @return false if the timeout passed first; then nothing of the message is delivered
     */
    public boolean write(byte[] src, int off, int len, Duration timeout) throws IOException, InterruptedException {
        return write0(src, off, len, deadline(timeout));
    }

    /**
     * As {@link #write(byte[], int, int)}, for a message in parts: each part is copied straight into the
     * ring.
     */
    public void write(MessageSource message) throws IOException, InterruptedException {
        write0(null, 0, message, message.length(), forever());
    }

    /**
     * Writes the first of {@code messages} that fit in the ring now, each whole as one record (at most a
     * quarter of the ring), and publishes them together: the reader is woken once, not once per message.
     * Never waits; returns how many were written (0 if the first does not fit now, or is too long for one
     * record). A message is delivered whole or not at all.
     *
     * @throws BrokenRingException if the reader end is closed or its process died; nothing is delivered
     * @throws java.nio.channels.ClosedChannelException if this end was closed before the call
     */
    public int writeNow(List<? extends MessageSource> messages) throws IOException {
        ensureOpen();
        try {
            if (peerGone()) {
                throw broken();
            }
            long start = tail;
            int written = 0;
            for (MessageSource m : messages) {
                int len = m.length();
                long record = recordSize(RECORD_HEADER, len);
                long at = record <= maxWhole ? reserveNow((int) record) : -1;
                if (at < 0) {
                    break;
                }
                file.set(JAVA_INT, at, len);
                file.set(JAVA_INT, at + 4, WHOLE);
                m.copyTo(0, file, at + RECORD_HEADER, len);
                tail += record; // NOTE: published below, with the records before and after it
                written++;
            }
            if (tail != start) {
                publish(tail);
            }
            return written;
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /**
     * Writes {@code src[off, off + len)} as one record if it fits now, and publishes it without waking a
     * sleeping reader: the reader sees it at once if it is awake (spinning or busy), or at the end of its
     * current futex slice (at most {@code MAX_SLICE_NANOS}), or when this end next publishes normally or
     * calls {@link #announce()}, whichever comes first. For a stream of messages whose reader need not
     * hear of each one at once: it saves the reader a wake-up per message. Never waits.
     *
     * @return false if the message is longer than one record or does not fit now: nothing was written
     * @throws BrokenRingException if the reader end is closed or its process died; nothing is delivered
     * @throws java.nio.channels.ClosedChannelException if this end was closed before the call
     */
    public boolean writeUnannounced(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        ensureOpen();
        try {
            if (peerGone()) {
                throw broken();
            }
            long record = recordSize(RECORD_HEADER, len);
            long at = record <= maxWhole ? reserveNow((int) record) : -1;
            if (at < 0) {
                return false;
            }
            file.set(JAVA_INT, at, len);
            file.set(JAVA_INT, at + 4, WHOLE);
            MemorySegment.copy(src, off, file, JAVA_BYTE, at + RECORD_HEADER, len);
            tail += record;
            // NOTE: release: as publish(), without its wake-up
            LONG.setRelease(file, TAIL, tail);
            unannounced = true;
            return true;
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /** Wakes a sleeping reader for what {@link #writeUnannounced} published, if anything. Never waits. */
    public void announce() {
        if (unannounced) {
            unannounced = false;
            wakePeer();
        }
    }

    private boolean write0(byte[] src, int off, int len, long deadline) throws IOException, InterruptedException {
        Objects.checkFromIndexSize(off, len, src.length);
        return write0(src, off, null, len, deadline);
    }

    /** Writes {@code src[off, off + len)}, or, when {@code src} is null, {@code parts}. */
    private boolean write0(byte[] src, int off, MessageSource parts, int len, long deadline)
            throws IOException, InterruptedException {
        if (len > MAX_MESSAGE) {
            throw new IllegalArgumentException("a message of " + len + " bytes is longer than a ring carries ("
                    + MAX_MESSAGE + " bytes, the longest array the reader could assemble it in); nothing was sent");
        }
        ensureOpen();
        try {
            if (peerGone()) {
                throw broken();
            }
            long record = recordSize(RECORD_HEADER, len);
            if (record <= maxWhole) {
                int size = (int) record;
                long at = reserve(size, 0, deadline);
                if (at < 0) {
                    return false;
                }
                file.set(JAVA_INT, at, len);
                file.set(JAVA_INT, at + 4, WHOLE);
                copyOut(src, off, parts, 0, at + RECORD_HEADER, len);
                publish(tail + size);
                return true;
            }
            return stream(src, off, parts, len, deadline);
        } catch (IllegalStateException unmapped) {
            throw closedMeanwhile(unmapped);
        }
    }

    /** Sends a long message in pieces of at most {@code maxPiece} bytes: FIRST, MORE..., LAST. */
    private boolean stream(byte[] src, int off, MessageSource parts, int len, long deadline)
            throws IOException, InterruptedException {
        int sent = 0;
        try {
            while (sent < len) {
                int n = Math.min(len - sent, maxPiece);
                boolean first = sent == 0;
                boolean last = sent + n == len;
                int header = first ? FIRST_HEADER : RECORD_HEADER;
                int size = header + align8(n);
                // NOTE: every piece but the last leaves room for an ABORT record, so abort() never waits.
                long at = reserve(size, last ? 0 : RECORD_HEADER, deadline);
                if (at < 0) {
                    if (!first) {
                        abort();
                    }
                    return false;
                }
                file.set(JAVA_INT, at, n);
                file.set(JAVA_INT, at + 4, first ? FIRST : last ? LAST : MORE);
                if (first) {
                    file.set(JAVA_LONG, at + RECORD_HEADER, len);
                }
                copyOut(src, off, parts, sent, at + header, n);
                publish(tail + size);
                sent += n;
            }
            return true;
        } catch (InterruptedException e) {
            if (sent > 0) {
                abort();
            }
            throw e;
        }
    }

    /** Copies bytes {@code [from, from + n)} of the message ({@code src} from {@code off}, or {@code parts}) to the ring at {@code at}. */
    private void copyOut(byte[] src, int off, MessageSource parts, int from, long at, int n) {
        if (parts == null) {
            MemorySegment.copy(src, off + from, file, JAVA_BYTE, at, n);
        } else {
            parts.copyTo(from, file, at, n);
        }
    }

    /** Tells the reader to drop the pieces of the message being streamed. Room was kept for it. */
    private void abort() {
        long at = DATA + (tail & mask);
        file.set(JAVA_INT, at, 0);
        file.set(JAVA_INT, at + 4, ABORT);
        publish(tail + RECORD_HEADER);
    }

    /**
     * Waits until {@code size} contiguous bytes plus {@code reserve} more are free, writing a PAD record
     * first when the record would cross the end of the data area; returns the file offset to write at, or
     * -1 at the deadline.
     */
    private long reserve(int size, int reserve, long deadline) throws IOException, InterruptedException {
        for (;;) {
            int index = (int) (tail & mask);
            int toEnd = capacity - index;
            long need = (size <= toEnd ? size : toEnd + size) + (long) reserve;
            if (capacity - (tail - headSeen) >= need || freeAtLeast(need)) {
                if (size > toEnd) {
                    file.set(JAVA_INT, DATA + index, 0);
                    file.set(JAVA_INT, DATA + index + 4, PAD);
                    tail += toEnd; // published together with the record that follows
                    return DATA;
                }
                return DATA + index;
            }
            if (closed) {
                throw new ClosedDuringUse();
            }
            if (peerGone()) {
                throw broken();
            }
            needed = need;
            // NOTE: a reader asleep over unannounced records would free no space until its slice ends
            announce();
            if (!await(deadline)) {
                return -1;
            }
        }
    }

    /** As {@link #reserve} for a whole record, without waiting: -1 if there is no room now. */
    private long reserveNow(int size) {
        int index = (int) (tail & mask);
        int toEnd = capacity - index;
        long need = size <= toEnd ? size : toEnd + size;
        if (capacity - (tail - headSeen) < need && !freeAtLeast(need)) {
            return -1;
        }
        if (size > toEnd) {
            file.set(JAVA_INT, DATA + index, 0);
            file.set(JAVA_INT, DATA + index + 4, PAD);
            tail += toEnd; // published together with the record that follows
            return DATA;
        }
        return DATA + index;
    }

    private boolean freeAtLeast(long need) {
        headSeen = (long) LONG.getAcquire(file, HEAD);
        return capacity - (tail - headSeen) >= need;
    }

    private void publish(long newTail) {
        tail = newTail;
        // NOTE: release: the record's header and payload (plain stores above) before the tail that covers them.
        LONG.setRelease(file, TAIL, newTail);
        unannounced = false;
        wakePeer();
    }

    @Override
    boolean ready() {
        return closed || peerGone() || freeAtLeast(needed);
    }

    private BrokenRingException broken() {
        return new BrokenRingException("the reader of " + ring.path() + " is gone (" + describePeer() + ")");
    }

    @Override
    public String toString() {
        return "SpscWriter[" + ring.path() + ", tail " + tail + (closed ? ", closed" : "") + "]";
    }
}
