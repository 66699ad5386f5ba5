package org.multiprocessing4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.ring.SpscRing;

/**
 * Python's {@code multiprocessing.Pipe()}: two connected {@link Connection}s over shared-memory rings in
 * {@code /dev/shm}. {@link #open()} makes a duplex pipe (each end sends to and receives from the other);
 * {@link #open(boolean) open(false)} a one-way pipe whose {@link #left()} only receives and whose
 * {@link #right()} only sends, as Python's {@code Pipe(False)} returns {@code (reader, writer)}.
 *
 * <p>An end is a serializable handle: capture it in a {@link Process} target (or send it to a process)
 * and the child uses the same pipe. Messages, blocking, interrupts and EOF are as {@link Connection}
 * states: a receive whose peer end was closed, or whose peer's process died (SIGKILL included), returns
 * what was sent and then throws {@link java.io.EOFException}; a one-way end used in the wrong direction,
 * or any call on a closed end, throws {@link IOException}. Each direction buffers {@value #RING_CAPACITY}
 * bytes; a message longer than a quarter of that streams through in pieces. A message may be up to
 * {@code Integer.MAX_VALUE - 8} bytes long (the longest array a receiver can hold it in): a longer
 * {@code sendBytes} throws {@link IllegalArgumentException} and sends nothing.
 *
 * <p>Deviation from Python: an end is used by one process. Its first use in a process claims it for that
 * process; using the same end in another process then throws {@link IOException} naming the owner's pid.
 * Passing an end along unused is fine. Closing an end counts even if it was never used, as long as this
 * process made the pipe and never passed that end on (it is then the only copy that could ever use the
 * end): the other end gets {@link java.io.EOFException} from a receive, {@code true} from {@code poll},
 * and {@link IOException} from a send, as in Python after closing the last copy of an end. So a parent
 * that gives the reader of {@code open(false)} to a child and closes its writer unused makes the child
 * see EOF. An end that was passed on (captured in a started {@link Process}, or sent) may still be used
 * by the process that got it, so closing this process's copy of it unused closes nothing; if no process
 * ever uses it, it has no owner whose death could be noticed, and a receive on the other end waits for
 * it, as in Python while a copy of the peer end stays open. Cross-process visibility follows the
 * <a href="{@docRoot}/org/multiprocessing4j/package-summary.html">library's happens-before rule</a>: what
 * a thread did before a send happens before the receive that returns it.
 *
 * <p>The ring files are removed as soon as both ends of each ring are claimed, when this process closes a
 * pipe none of whose ends it passed on, and in any case when the root JVM of the process tree exits.
 * Thread-safe.
 */
public final class Pipe implements AutoCloseable {
    /**
     * Bytes of ring per direction: 8 MiB, as a pool worker's pipe. A message of up to a quarter of it (2 MiB)
     * passes as one record, and a writer of MiB-sized messages can run a few messages ahead of its reader
     * instead of waiting for each piece to be read (each wait a futex sleep and wake-up): 1 MiB messages went
     * through at 5.8-7.1 GB/s with this ring and 4.2-4.6 GB/s with a 1 MiB one, in alternating runs of the
     * {@code pipe_throughput} benchmark (about 9 and 5.7 GB/s once warm); round trips of small messages did
     * not change. The rings take their memory in {@code /dev/shm} when the pipe is made, 16 MiB for a duplex
     * pipe (so a full {@code /dev/shm} fails {@link #open()}, never a later send), until both ends are closed.
     */
    public static final int RING_CAPACITY = 8 << 20;

    static {
        DefaultCodec.install(() -> Multiprocessing.defaultContext().codec());
    }

    private final Connection left;
    private final Connection right;

    private Pipe(Connection left, Connection right) {
        this.left = left;
        this.right = right;
    }

    /** {@return a duplex pipe, Python's {@code Pipe()}} */
    public static Pipe open() {
        return open(true);
    }

    /**
     * A pipe, duplex or one-way ({@code false}: {@link #left()} only receives, {@link #right()} only sends).
     *
     * @param duplex {@code true} for two ends that both send and receive; {@code false}: the left end only receives, the right end only sends
     * @return a new pipe
     * @throws UncheckedIOException if the rings cannot be created (for example {@code /dev/shm} is full);
     *         no file is left behind then
     */
    public static Pipe open(boolean duplex) {
        return open(duplex, null);
    }

    /**
     * A pipe whose rings hold {@code ringBytes} bytes per direction instead of {@link #RING_CAPACITY} (Java only:
     * the kernel sizes Python's pipes). A smaller ring takes less of {@code /dev/shm}, which a channel of small
     * messages does not need; a message longer than a quarter of the ring streams through in pieces, each one a
     * possible wait for the reader. A larger one lets a writer of large messages run further ahead.
     *
     * @param duplex    {@code true} for two ends that both send and receive; {@code false}: the left end only
     *                  receives, the right end only sends
     * @param ringBytes bytes of ring per direction: a power of two from 1 KiB (1024) to 1 GiB (1073741824)
     * @return a new pipe
     * @throws IllegalArgumentException if {@code ringBytes} is not such a power of two; nothing is created
     * @throws UncheckedIOException     if the rings cannot be created (for example {@code /dev/shm} is full);
     *         no file is left behind then
     */
    public static Pipe open(boolean duplex, int ringBytes) {
        try {
            SpscRing.checkCapacity(ringBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ringBytes of a Pipe: " + e.getMessage(), e);
        }
        return open(duplex, ringBytes, null);
    }

    /** A pipe whose messages travel with the named serializer (a context's), or the default for null. */
    static Pipe open(boolean duplex, String serializer) {
        return open(duplex, RING_CAPACITY, serializer);
    }

    private static Pipe open(boolean duplex, int ringBytes, String serializer) {
        try {
            RingConnection[] ends = RingConnection.pair(duplex, ringBytes, serializer);
            return new Pipe(ends[0], ends[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the rings of a pipe in /dev/shm: " + e, e);
        }
    }

    /** {@return the left end: Python's first connection (the receiving one of a one-way pipe)} */
    public Connection left() {
        return left;
    }

    /** {@return the right end: Python's second connection (the sending one of a one-way pipe)} */
    public Connection right() {
        return right;
    }

    /** Closes both ends in this process (copies in other processes stay open). Idempotent; never throws. */
    @Override
    public void close() {
        left.close();
        right.close();
    }

    @Override
    public String toString() {
        return "Pipe[" + left + ", " + right + "]";
    }
}
