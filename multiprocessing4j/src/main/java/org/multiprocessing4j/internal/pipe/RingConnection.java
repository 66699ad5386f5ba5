package org.multiprocessing4j.internal.pipe;

import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.ring.MessageBuffer;
import org.multiprocessing4j.internal.ring.MessageSource;
import org.multiprocessing4j.internal.ring.SpscReader;
import org.multiprocessing4j.internal.ring.SpscRing;
import org.multiprocessing4j.internal.ring.SpscWriter;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * One end of a {@code Pipe}: receives from one {@link SpscRing} (if {@link #readable()}) and sends into
 * another (if {@link #writable()}). It is a serializable <em>handle</em>: what travels is the two ring
 * paths; a process that decodes it and uses it attaches the same rings.
 *
 * <p>Ownership: the first use of an end in a process (any send, receive or poll) claims <em>all</em> of
 * its ring ends for that process: the reader end of the ring it receives from and the writer end of the
 * ring it sends into. Their pid and start time are recorded in the rings, so the peer sees EOF when this
 * process closes the end or dies (SIGKILL included), whichever direction it used. Claiming both at once
 * is what makes that hold for a process that only ever received. Deviation from Python, where a pipe end
 * may be shared: an end already used by another process cannot be used here (the call throws
 * {@link IOException} naming the owner's pid), and two decoded copies of one end in one process are two
 * users as well. Decoding has no side effects (no attach, no claim), so standby JVMs may decode process
 * objects without running them. An end never used by any process has no owner to watch: a receive on the
 * other end waits for it, as a Python receive waits while a copy of the peer end stays open.
 *
 * <p>Handed to a child: an end serialized into a child's run order ({@code Process.start}, see
 * {@link #encodingForChild}) is <em>reserved</em> for that child before it gets its run order ({@link #reserveFor}): its
 * ring ends record the child's pid and start time as if it had claimed them, so the peer sees EOF when the
 * child ends without ever using it (Python's child copy closing with its process), and only the child
 * can claim it, or hand it on unused to a child of its own (which moves the reservation). When the child
 * has ended, the process that started it closes the ring ends still reserved for it and removes files
 * nobody can claim any more ({@link #closeReservationsOf}). An end already claimed, or reserved for
 * another child, is left as it is.
 *
 * <p>Closing: {@link #close()} closes the ring ends this object claimed (the peer drains what was sent,
 * then gets {@link EOFException}; its sends throw
 * {@link org.multiprocessing4j.internal.ring.BrokenRingException}) and unmaps the rings. An
 * unused end closes nothing shared, so other copies stay usable, with one exception: the creator's
 * object of an end that was never serialized is the only copy that could ever use that end, so its
 * {@code close()} claims the end's ring ends and closes them at once, and the peer sees it closed as if
 * it had been used (Python's EOF, or {@code BrokenPipeError}, after closing the last copy of an end). It
 * skips that when nobody could notice (the other end is closed here too and never left). Serialized is
 * per end ({@link PipeOrigin}): passing the left end to a child does not change what closing the right
 * end here does.
 *
 * <p>File lifetime (rule): a ring file is unlinked by the process whose claim leaves neither of its ends
 * free (after that nobody can attach it usefully); and by the creating process when it has closed both
 * ends of a pipe none of whose ends was ever serialized. Files of rings never fully claimed (an end
 * passed to a child that never used it, or was killed first) are removed by the process tree's sweep
 * when the root JVM exits, or by the next root's sweep if the tree was killed. "Serialized" is noticed in
 * {@code writeObject} (the Kryo module's serializer calls it too: it sends classes that declare one by JDK
 * serialization); a serializer that copied fields without calling it would escape that mark, so closing
 * the end in the creator before a child used its copy would then close it for good (and closing both
 * ends would remove the files), and the child's first use would throw {@link IOException} (never a hang
 * or a torn message). The same goes for an end closed here unused and passed on afterwards.
 *
 * <p>Thread-safety: one thread may send while another receives; receivers are serialized by one lock and
 * senders by another. Blocking and interrupts are as {@link Connection} states; a send blocked on a full
 * ring that is interrupted delivers nothing (the ring drops a partly streamed message) and throws
 * {@link ProcessError} with the interrupt flag kept.
 */
public final class RingConnection implements Connection, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);
    /** The ends serialized by this thread while it encodes a child's run order ({@link #encodingForChild}). */
    private static final ThreadLocal<List<RingConnection>> HANDED_ON = new ThreadLocal<>();

    /** The ring this end receives from, or null for a send-only end. */
    private final String inPath;
    /** The ring this end sends into, or null for a receive-only end. */
    private final String outPath;
    /** The serializer class of the context that made the pipe, or null for the default context's. */
    private final String serializer;
    /** The creator's record of the pipe; null in a decoded copy. */
    private final transient PipeOrigin origin;
    /** Which end of the pipe this is in {@link #origin} ({@link PipeOrigin#LEFT} or {@link PipeOrigin#RIGHT}); unused in a decoded copy. */
    private final transient int side;
    private transient volatile Ends ends;
    private transient volatile boolean closed;

    private RingConnection(Path inPath, Path outPath, PipeOrigin origin, int side, String serializer) {
        this.serializer = serializer;
        this.inPath = inPath == null ? null : inPath.toString();
        this.outPath = outPath == null ? null : outPath.toString();
        this.origin = origin;
        this.side = side;
    }

    /**
     * Creates the rings of a new pipe and its two ends {@code [left, right]}: duplex, each receives what
     * the other sends; else {@code left} only receives and {@code right} only sends. No ring end is
     * claimed yet. On failure no file is left behind.
     */
    public static RingConnection[] pair(boolean duplex, int capacity) throws IOException {
        return pair(duplex, capacity, null);
    }

    /** As {@link #pair(boolean, int)}, with messages encoded by the named serializer (null: the default). */
    public static RingConnection[] pair(boolean duplex, int capacity, String serializer) throws IOException {
        List<Path> files = new ArrayList<>(2);
        try {
            for (int i = duplex ? 2 : 1; i > 0; i--) {
                // NOTE: the creator keeps no mapping; each end maps its rings when first used.
                try (SpscRing ring = SpscRing.create(capacity)) {
                    files.add(ring.path());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
        PipeOrigin origin = new PipeOrigin(files);
        Path toLeft = files.get(0);
        Path toRight = duplex ? files.get(1) : null;
        return new RingConnection[] {new RingConnection(toLeft, duplex ? toRight : null, origin, PipeOrigin.LEFT, serializer),
                new RingConnection(toRight, toLeft, origin, PipeOrigin.RIGHT, serializer)};
    }

    /** The claimed ring ends of this object, with the locks that serialize each direction. */
    private record Ends(SpscRing in, SpscRing out, SpscReader reader, SpscWriter writer, ThreadBiasedMutex readLock, ThreadBiasedMutex writeLock) {
    }

    @Override
    public void send(Object object) throws IOException {
        checkUsable(outPath, "sends");
        byte[] encoded = DefaultCodec.of(serializer).encode(object, "a message on " + this);
        sendBytes(encoded, 0, encoded.length);
    }

    @Override
    public void sendBytes(byte[] bytes, int offset, int length) throws IOException {
        checkUsable(outPath, "sends");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        Ends e = ends();
        ThreadBiasedMutex writeLock = e.writeLock();
        boolean how = writeLock.enter();
        try {
            e.writer().write(bytes, offset, length);
        } catch (InternalError fault) {
            throw damaged(fault);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while sending on " + this + "; nothing was sent", interrupted);
        } finally {
            writeLock.exit(how);
        }
    }

    /**
     * Sends {@code bytes} whole if it fits in the ring now, without waking the receiver for it
     * ({@link SpscWriter#writeUnannounced}): it sees the message when it next looks, at the latest at the
     * end of its current futex slice, or when this end next sends normally or {@link #announce()}s. Never
     * waits.
     *
     * @return false if nothing was sent (too long for one record, or no room now): send it normally
     */
    public boolean sendBytesUnannounced(byte[] bytes) throws IOException {
        checkUsable(outPath, "sends");
        Ends e = ends();
        ThreadBiasedMutex writeLock = e.writeLock();
        boolean how = writeLock.enter();
        try {
            return e.writer().writeUnannounced(bytes, 0, bytes.length);
        } catch (InternalError fault) {
            throw damaged(fault);
        } finally {
            writeLock.exit(how);
        }
    }

    /** Wakes the receiver for what {@link #sendBytesUnannounced} sent, if it has not been woken since. */
    public void announce() throws IOException {
        checkUsable(outPath, "sends");
        Ends e = ends();
        ThreadBiasedMutex writeLock = e.writeLock();
        boolean how = writeLock.enter();
        try {
            e.writer().announce();
        } catch (InternalError fault) {
            throw damaged(fault);
        } finally {
            writeLock.exit(how);
        }
    }

    /** As {@link #sendBytes(byte[], int, int)}, for a message in parts, each copied straight into the ring. */
    public void sendMessage(MessageSource message) throws IOException {
        checkUsable(outPath, "sends");
        Ends e = ends();
        ThreadBiasedMutex writeLock = e.writeLock();
        boolean how = writeLock.enter();
        try {
            e.writer().write(message);
        } catch (InternalError fault) {
            throw damaged(fault);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new ProcessError("interrupted while sending on " + this + "; nothing was sent", interrupted);
        } finally {
            writeLock.exit(how);
        }
    }

    /**
     * Sends the first of {@code messages} that fit in the ring now, with one wake-up of the receiver (see
     * {@link SpscWriter#writeNow}); returns how many. Never waits.
     */
    public int sendMessagesNow(List<? extends MessageSource> messages) throws IOException {
        checkUsable(outPath, "sends");
        Ends e = ends();
        ThreadBiasedMutex writeLock = e.writeLock();
        boolean how = writeLock.enter();
        try {
            return e.writer().writeNow(messages);
        } catch (InternalError fault) {
            throw damaged(fault);
        } finally {
            writeLock.exit(how);
        }
    }

    @Override
    public Object recv() throws IOException, InterruptedException {
        byte[] message = recvBytes();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return DefaultCodec.of(serializer).decode(message, loader != null ? loader : RingConnection.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot decode a message: class " + e.getMessage() + " is not on this JVM's class path", e);
        }
    }

    @Override
    public byte[] recvBytes() throws IOException, InterruptedException {
        checkUsable(inPath, "receives");
        Ends e = ends();
        try {
            ThreadBiasedMutex readLock = e.readLock();
            boolean how = readLock.enter();
            try {
                return e.reader().read();
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        }
    }

    /**
     * The next message if a whole one is there, else null (a message still being streamed in is kept, and
     * finished by a later receive); never waits.
     *
     * @throws java.io.EOFException once the writer is gone and every message was read
     */
    public byte[] recvBytesNow() throws IOException {
        checkUsable(inPath, "receives");
        Ends e = ends();
        try {
            ThreadBiasedMutex readLock = e.readLock();
            boolean how = readLock.enter();
            try {
                return e.reader().readNow();
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        }
    }

    /**
     * As {@link #recvBytes()}, into {@code into}'s reused array: the message is
     * {@code into.array()[0, into.length())}, valid until the next receive into that buffer. For a receiver
     * that is done with each message before it takes the next (a pool worker).
     */
    public void recvInto(MessageBuffer into) throws IOException, InterruptedException {
        checkUsable(inPath, "receives");
        Ends e = ends();
        try {
            ThreadBiasedMutex readLock = e.readLock();
            boolean how = readLock.enter();
            try {
                e.reader().readInto(into);
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        }
    }

    @Override
    public byte[] recvBytes(int maxLength) throws IOException, InterruptedException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength is negative: " + maxLength);
        }
        checkUsable(inPath, "receives");
        Ends e = ends();
        try {
            ThreadBiasedMutex readLock = e.readLock();
            boolean how = readLock.enter();
            try {
                e.reader().poll(FOREVER);
                long length = e.reader().nextLength();
                if (length > maxLength) {
                    close();
                    throw new IOException("message of " + length + " bytes exceeds the limit of " + maxLength
                            + " bytes; " + this + " is closed");
                }
                return e.reader().read();
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        }
    }

    @Override
    public boolean poll() throws IOException {
        checkUsable(inPath, "receives");
        Ends e = ends();
        ThreadBiasedMutex readLock = e.readLock();
        if (readLock.heldByAnotherThread()) {
            return false; // NOTE: another thread is receiving: a receive here would wait for it (poll never blocks)
        }
        // NOTE: the ring's zero-timeout poll checks the interrupt flag before it looks; hide it, then restore.
        boolean interrupted = Thread.interrupted();
        try {
            boolean how = readLock.enter();
            try {
                return e.reader().poll(Duration.ZERO);
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        } catch (InterruptedException cannotHappen) {
            interrupted = true;
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean poll(Duration timeout) throws IOException, InterruptedException {
        checkUsable(inPath, "receives");
        Ends e = ends();
        ThreadBiasedMutex readLock = e.readLock();
        long deadline = System.nanoTime() + (timeout == null ? Long.MAX_VALUE / 2 : Math.max(0, Timeouts.nanos(timeout)));
        // NOTE: another thread's receive is waited for in 1 ms naps, at most until the deadline: the lock has no timed wait
        while (readLock.heldByAnotherThread()) {
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
            Thread.sleep(1);
        }
        try {
            boolean how = readLock.enter();
            try {
                return e.reader().poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } finally {
                readLock.exit(how);
            }
        } catch (InternalError fault) {
            throw damaged(fault);
        }
    }

    /**
     * A fault in the mapped ring (HotSpot turns the SIGBUS of a read past the end of a truncated file into
     * this {@link InternalError}): somebody truncated or damaged a ring file under the live channel. The
     * connection is closed and the caller gets an {@link IOException}, never a crash or a torn message.
     */
    private IOException damaged(InternalError fault) {
        Ends e = ends;
        if (e != null) {
            if (e.in() != null) {
                e.in().markDamaged();
            }
            if (e.out() != null) {
                e.out().markDamaged();
            }
        }
        close();
        return new IOException(this + ": a ring file was truncated or damaged under the live channel ("
                + fault.getMessage() + "); the connection is closed", fault);
    }

    /**
     * Closes the ring ends this object claimed and unmaps its rings; an unused end that never left the
     * creating process claims its ring ends first (see the class doc). Idempotent; never throws.
     */
    @Override
    public void close() {
        Ends e;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            e = ends;
        }
        // NOTE: closed is set, so ends() can no longer claim: this thread alone decides about an unused end.
        if (e == null && origin != null && origin.mustCloseUnused(side)) {
            e = claimToClose();
        }
        if (e != null) {
            closeQuietly(e.in());
            closeQuietly(e.out());
        }
        if (origin != null) {
            origin.endClosed(side);
        }
    }

    /**
     * Claims this unused end's ring ends only to close them, so that the peer sees EOF and its sends
     * fail; null if that cannot be done (the files are gone, or a ring end is taken by someone else, who
     * is then the one watched; a claim that failed half way closed the ring ends it had taken).
     */
    private Ends claimToClose() {
        try {
            return claim();
        } catch (IOException | RuntimeException bestEffort) {
            return null;
        }
    }

    /**
     * Removes this end's ring files now, for a caller that knows no other process will attach them (the
     * peer process is dead). Ends already attached keep working. Best effort; never throws.
     */
    public void unlinkRings() {
        for (String path : new String[] {inPath, outPath}) {
            if (path != null) {
                try {
                    Files.deleteIfExists(Path.of(path));
                } catch (IOException | RuntimeException bestEffort) {
                    // the tree's sweep removes it later
                }
            }
        }
    }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public boolean readable() {
        return inPath != null;
    }

    @Override
    public boolean writable() {
        return outPath != null;
    }

    private void checkUsable(String path, String verb) throws IOException {
        if (closed) {
            throw new IOException(this + " is closed");
        }
        if (path == null) {
            throw new IOException(this + " is one end of a one-way pipe and only "
                    + (verb.equals("sends") ? "receives" : "sends"));
        }
    }

    /** This object's ring ends, claimed on first use. */
    private Ends ends() throws IOException {
        Ends e = ends;
        if (e != null) {
            return e;
        }
        synchronized (this) {
            if (closed) {
                throw new IOException(this + " is closed");
            }
            if (ends == null) {
                ends = claim();
            }
            return ends;
        }
    }

    /**
     * Attaches the rings and claims this end's ring ends (all of them, see the class doc), then unlinks
     * each ring whose ends are now both taken. On failure nothing stays mapped.
     */
    private Ends claim() throws IOException {
        List<SpscRing> mapped = new ArrayList<>(2);
        try {
            SpscRing in = inPath == null ? null : attach(inPath, mapped);
            SpscRing out = outPath == null ? null : attach(outPath, mapped);
            SpscReader reader = in == null ? null : in.reader();
            SpscWriter writer = out == null ? null : out.writer();
            for (SpscRing ring : mapped) {
                if (ring.bothEndsTaken()) {
                    ring.unlink();
                }
            }
            return new Ends(in, out, reader, writer, new ThreadBiasedMutex(), new ThreadBiasedMutex());
        } catch (NoSuchFileException gone) {
            mapped.forEach(RingConnection::closeQuietly);
            throw new IOException(this + " cannot be used in " + ProcessStamp.self() + ": its ring " + gone.getFile()
                    + " is gone (other processes took both of its ends, or the pipe's tree ended)", gone);
        } catch (IllegalStateException taken) {
            mapped.forEach(RingConnection::closeQuietly);
            throw new IOException(this + " cannot be used in " + ProcessStamp.self() + ": " + taken.getMessage()
                    + (taken.getMessage().endsWith(" closed") ? " (a closed end cannot be used again)"
                            : " (an end of a pipe is used by one process only)"), taken);
        } catch (IOException | RuntimeException | Error other) {
            mapped.forEach(RingConnection::closeQuietly);
            throw other;
        }
    }

    private static SpscRing attach(String path, List<SpscRing> mapped) throws IOException {
        SpscRing ring = SpscRing.attach(Path.of(path));
        mapped.add(ring);
        return ring;
    }

    private static void closeQuietly(SpscRing ring) {
        if (ring == null) {
            return;
        }
        try {
            ring.close();
        } catch (RuntimeException | InternalError stillMappedOrTruncated) {
            // a thread stayed in a futex wait past the unmap budget, or the file was truncated: the
            // mapping goes with this JVM
        }
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        if (origin != null) {
            origin.exported(side);
        }
        List<RingConnection> handedOn = HANDED_ON.get();
        if (handedOn != null) {
            handedOn.add(this);
        }
        out.defaultWriteObject();
    }

    /**
     * Runs {@code encode}, the encoding of a child's run order in this thread, and adds to {@code handedOn}
     * the pipe ends it serialized: the caller then reserves them for the child ({@link #reserveFor}).
     */
    public static <T> T encodingForChild(Supplier<T> encode, List<RingConnection> handedOn) {
        List<RingConnection> outer = HANDED_ON.get();
        HANDED_ON.set(handedOn);
        try {
            return encode.get();
        } finally {
            HANDED_ON.set(outer);
        }
    }

    /**
     * The child whose run order carried this end (see {@link #encodingForChild}) did not start: that copy never
     * existed, so closing this object here closes the end as if it had never been serialized for it.
     */
    public void withdrawHandOn() {
        if (origin != null) {
            origin.withdrawn(side);
        }
    }

    /**
     * Reserves this end's ring ends for {@code child}, the process whose run order carried it (see the class
     * doc), unless some process already claimed them or they were reserved for another. Best effort: never
     * throws (a ring that cannot be reserved behaves as before reservations: claimed at first use).
     */
    public void reserveFor(ProcessStamp child) {
        try {
            if (inPath != null) {
                try (SpscRing ring = SpscRing.attach(Path.of(inPath))) {
                    ring.reserveReader(child);
                }
            }
            if (outPath != null) {
                try (SpscRing ring = SpscRing.attach(Path.of(outPath))) {
                    ring.reserveWriter(child);
                }
            }
        } catch (IOException | RuntimeException bestEffort) {
            // NOTE: the file is gone (both ends taken, or the tree ended) or unreadable: nothing to reserve
        }
    }

    /**
     * {@code child}, a process this end was reserved for, never got its run order (its start failed): the ring
     * ends still reserved for it are reserved for this process again, so this copy stays usable. Best effort:
     * never throws.
     */
    public void takeBackReservationsOf(ProcessStamp child) {
        for (String path : new String[] {inPath, outPath}) {
            if (path == null) {
                continue;
            }
            try (SpscRing ring = SpscRing.attach(Path.of(path))) {
                ring.takeBackReservationsOf(child);
            } catch (IOException | RuntimeException bestEffort) {
                // NOTE: the file is gone already: nothing reserved is left
            }
        }
    }

    /**
     * After {@code gone}, a process this end was reserved for, ended: closes the ring ends still reserved for
     * it (it never used them; the peer sees EOF or a broken pipe at once) and removes ring files nobody can
     * claim any more. Best effort: never throws.
     */
    public void closeReservationsOf(ProcessStamp gone) {
        for (String path : new String[] {inPath, outPath}) {
            if (path == null) {
                continue;
            }
            try (SpscRing ring = SpscRing.attach(Path.of(path))) {
                ring.closeReservationsOf(gone);
            } catch (IOException | RuntimeException bestEffort) {
                // NOTE: the file is gone already (both ends taken, or the tree ended): nothing reserved is left
            }
        }
    }

    @Override
    public String toString() {
        return "Connection[pipe end" + (inPath == null ? "" : ", receives from " + Path.of(inPath).getFileName())
                + (outPath == null ? "" : ", sends into " + Path.of(outPath).getFileName()) + (closed ? ", closed]" : "]");
    }
}
