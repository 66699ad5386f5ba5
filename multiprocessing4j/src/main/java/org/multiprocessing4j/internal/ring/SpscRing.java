package org.multiprocessing4j.internal.ring;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * A single-producer single-consumer ring of framed messages in a {@code /dev/shm} file, shared by two
 * processes (or two threads of one): one process {@link #create creates} it, either one may
 * {@link #attach} it by path, and each claims one end: {@link #writer()} or {@link #reader()}. The layout
 * is {@link RingLayout}; attaching checks magic, version and sizes ({@link
 * org.multiprocessing4j.internal.shm.IncompatibleLayoutException}).
 *
 * <p>Lifecycle: each end is claimed once per file, by the process that will use it; its pid and start
 * time are recorded so that the other end can tell when it dies. {@link #close()} closes the ends this
 * object claimed (the peer sees them closed) and unmaps the file from this JVM; {@link #unlink()} removes
 * the file's name (the owner does so when both ends are attached or done; the file's memory is freed
 * when the last mapping goes).
 *
 * <p>Thread-safe; the ends have their own rules ({@link SpscWriter}, {@link SpscReader}). Messages, EOF
 * and peer death are described there; memory ordering and the futex protocol in {@link RingEnd}.
 */
public final class SpscRing implements AutoCloseable {
    private final SharedFile file;
    private final int capacity;
    private SpscWriter writer;
    private SpscReader reader;

    private SpscRing(SharedFile file, int capacity) {
        this.file = file;
        this.capacity = capacity;
    }

    /**
     * Creates a ring with {@code capacity} bytes of data area (a power of two, 1 KiB to 1 GiB) in a new
     * file with an unguessable name; neither end is claimed yet.
     */
    public static SpscRing create(int capacity) throws IOException {
        checkCapacity(capacity);
        Futex.link();
        SharedFile file = SharedFile.create(RingLayout.fileSize(capacity));
        RingLayout.initialize(file.segment(), capacity, ProcessStamp.self());
        return new SpscRing(file, capacity);
    }

    /**
     * Checks a capacity for {@link #create}: a power of two, 1 KiB to 1 GiB.
     *
     * @throws IllegalArgumentException if it is not one, naming the value and the range
     */
    public static void checkCapacity(int capacity) {
        RingLayout.checkCapacity(capacity);
    }

    /**
     * Maps the existing ring at {@code path}.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file (unlinked, or never made)
     * @throws org.multiprocessing4j.internal.shm.IncompatibleLayoutException if it is not a ring of this layout
     */
    public static SpscRing attach(Path path) throws IOException {
        Futex.link();
        SharedFile file = SharedFile.attach(path);
        try {
            return new SpscRing(file, RingLayout.check(file.segment(), path));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Claims the writer end for this process (free, or reserved for it).
     *
     * @throws IllegalStateException if the writer end is already claimed (here or by any process), reserved
     *         for another process, or closed, or this ring object is closed
     */
    public synchronized SpscWriter writer() {
        ensureMapped();
        RingEnd.claim(file.segment(), RingLayout.WRITER_END, ProcessStamp.self(), "the writer end of " + path());
        writer = new SpscWriter(this);
        return writer;
    }

    /**
     * Claims the reader end for this process (free, or reserved for it).
     *
     * @throws IllegalStateException if the reader end is already claimed (here or by any process), reserved
     *         for another process, or closed, or this ring object is closed
     */
    public synchronized SpscReader reader() {
        ensureMapped();
        RingEnd.claim(file.segment(), RingLayout.READER_END, ProcessStamp.self(), "the reader end of " + path());
        reader = new SpscReader(this);
        return reader;
    }

    /** The ring's file: what another process passes to {@link #attach}. */
    public Path path() {
        return file.path();
    }

    /** Bytes in the data area. */
    public int capacity() {
        return capacity;
    }

    /** The process that created the ring, as recorded in its header. */
    public ProcessStamp creator() {
        return RingLayout.creator(file.segment());
    }

    /**
     * True once neither end is free nor reserved (each is claimed, or closed): no process can claim an end
     * any more, so nobody still needs the file's name. (A reserved end still needs it: the process it was
     * handed to attaches the file by name when it first uses the end.)
     *
     * @throws IllegalStateException if this ring object is closed
     */
    public boolean bothEndsTaken() {
        ensureMapped();
        MemorySegment s = file.segment();
        // NOTE: volatile reads after our claim's CAS: of two concurrent claimers at least one sees both ends taken.
        return taken((int) RingLayout.INT.getVolatile(s, RingLayout.WRITER_END + RingLayout.END_STATE))
                && taken((int) RingLayout.INT.getVolatile(s, RingLayout.READER_END + RingLayout.END_STATE));
    }

    private static boolean taken(int state) {
        return state != RingLayout.FREE && state != RingLayout.RESERVED;
    }

    /**
     * Reserves the writer end for {@code child}, the process it is being handed to (see {@link RingLayout}):
     * its death then reads as the writer's to the reader, and only it can claim the end. Leaves an end
     * that is claimed, closed, or reserved for another process as it is.
     *
     * @return true if the writer end is now reserved for {@code child}
     * @throws IllegalStateException if this ring object is closed
     */
    public synchronized boolean reserveWriter(ProcessStamp child) {
        ensureMapped();
        return RingEnd.reserve(file.segment(), RingLayout.WRITER_END, ProcessStamp.self(), child);
    }

    /**
     * Closes each end still reserved for {@code gone}, a process that ended without claiming it (its peer
     * sees EOF or a broken ring at once), then unlinks the file if neither end can be claimed any more.
     *
     * @throws IllegalStateException if this ring object is closed
     * @throws IOException if the file cannot be unlinked
     */
    public synchronized void closeReservationsOf(ProcessStamp gone) throws IOException {
        ensureMapped();
        boolean closed = RingEnd.closeReservation(file.segment(), RingLayout.WRITER_END, gone);
        closed |= RingEnd.closeReservation(file.segment(), RingLayout.READER_END, gone);
        if (closed && bothEndsTaken()) {
            unlink();
        }
    }

    /**
     * Takes back the ends still reserved for {@code child}, a process whose start failed before it got its run
     * order: they are reserved for this process again, which keeps its copy of them.
     *
     * @throws IllegalStateException if this ring object is closed
     */
    public synchronized void takeBackReservationsOf(ProcessStamp child) {
        ensureMapped();
        RingEnd.takeBackReservation(file.segment(), RingLayout.WRITER_END, child, ProcessStamp.self());
        RingEnd.takeBackReservation(file.segment(), RingLayout.READER_END, child, ProcessStamp.self());
    }

    /** As {@link #reserveWriter}, for the reader end. */
    public synchronized boolean reserveReader(ProcessStamp child) {
        ensureMapped();
        return RingEnd.reserve(file.segment(), RingLayout.READER_END, ProcessStamp.self(), child);
    }

    /** Removes the file's name; attached ends keep working. Idempotent; true if this call removed it. */
    public boolean unlink() throws IOException {
        return file.unlink();
    }

    /**
     * Closes the ends claimed through this object (waking their blocked threads) and unmaps the file.
     * Idempotent. Does not unlink.
     */
    @Override
    public synchronized void close() {
        if (writer != null) {
            writer.close();
        }
        if (reader != null) {
            reader.close();
        }
        file.close();
    }

    MemorySegment segment() {
        return file.segment();
    }

    private void ensureMapped() {
        if (!file.isMapped()) {
            throw new IllegalStateException("ring " + path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SpscRing[" + path() + ", capacity " + capacity + (file.isMapped() ? "" : ", closed") + "]";
    }

    /** See {@link SharedFile#markDamaged()}. */
    public void markDamaged() {
        file.markDamaged();
    }
}
