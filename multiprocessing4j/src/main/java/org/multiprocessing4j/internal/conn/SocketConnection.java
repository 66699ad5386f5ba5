package org.multiprocessing4j.internal.conn;

import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * A {@link Connection} over an authenticated, non-blocking {@link SocketChannel}; blocking calls wait in a
 * {@link Selector}, so an interrupt wakes them without closing the channel.
 *
 * <p>Wire format: each message is {@code length(4, big-endian, 0..2^31-1) | bytes}. A reader allocates a
 * message's buffer as its bytes arrive (from 64 KiB, doubling), never from the length prefix alone, so a
 * peer that announces a huge length costs only what it really sends.
 *
 * <p>A receive interrupted in the middle of a message keeps what it has read (the length and the partial
 * body, in fields, as {@code internal.ring.SpscReader} keeps its {@code partial}); the next receive
 * continues the same message, so an interrupt never tears the stream.
 *
 * <p>End of stream: a peer that closed, or whose process died, reads as EOF (API.md), also when the kernel
 * reports it as a reset: a peer that ends with bytes of ours unread resets the connection (ECONNRESET), on a
 * Unix-domain socket whenever its receive queue is not empty, on TCP when a dead process's socket is closed.
 *
 * <p>{@link #close()} from another thread ends a blocked call with {@link IOException}: it wakes this
 * connection's selectors, and also the selectors of {@code Connections.waitFor} calls that registered
 * themselves with {@link #watchedBy(Selector)}. A selector that {@code close()} closed under a call is
 * reported as the connection being closed, never as {@link ClosedSelectorException}.
 *
 * <p>Thread-safety: one sender and one receiver may work at once; senders are serialized by a lock, and so
 * are receivers.
 *
 * <p>Not sendable: {@link Connection} is {@code Serializable} for pipe ends; this socket belongs to this process,
 * and serializing it throws {@link NotSerializableException} (by {@code writeReplace}, so that the Kryo
 * serializer, which defers to JDK serialization for classes with such hooks, refuses it the same way).
 */
public final class SocketConnection implements Connection {
    @Serial
    private static final long serialVersionUID = 1L;
    static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;
    private static final int FIRST_CHUNK = 64 * 1024;

    private final SocketChannel channel;
    private final ObjectCodec codec;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    /**
     * Held by the receiving thread for a whole receive; a poll that finds it held elsewhere does not wait for it
     * (another thread's receive takes what arrives, so a receive here would not get it now).
     */
    private final ReentrantLock readLock = new ReentrantLock();
    private final Object writeLock = new Object();
    private volatile boolean closed;
    private boolean eof;
    /** Why the stream ended, if the peer reset the connection rather than closing it ({@code null} otherwise). */
    private SocketException reset;
    /** The length of the message being received, or -1 between messages; kept across an interrupt. */
    private int pendingLength = -1;
    /** The bytes of that message received so far ({@code null} before its first byte); kept across an interrupt. */
    private byte[] partial;
    private int partialHave;
    /**
     * Selectors of {@code Connections.waitFor} calls sleeping on this connection: {@link #close()} wakes them, and
     * so does a receive that lets go with bytes buffered ({@link #unlockRead()}).
     */
    private final Set<Selector> watchers = ConcurrentHashMap.newKeySet();

    /** Takes over an authenticated channel; switches it to non-blocking mode. */
    public SocketConnection(SocketChannel channel, ObjectCodec codec) throws IOException {
        this.channel = channel;
        this.codec = codec;
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        this.writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        throw new NotSerializableException(SocketConnection.class.getName() + ": a socket connection (from Listener.accept"
                + " or Client.connect) belongs to the process that opened it and cannot be sent to another; send a Pipe"
                + " end, or let the other process connect to the Listener itself");
    }

    @Override
    public void send(Object object) throws IOException {
        checkOpen();
        byte[] encoded = codec.encode(object, "a message on " + this);
        sendBytes(encoded, 0, encoded.length);
    }

    @Override
    public Object recv() throws IOException, InterruptedException {
        byte[] message = recvBytes();
        try {
            return codec.decode(message, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : SocketConnection.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot decode a message: class " + e.getMessage() + " is not on this JVM's class path", e);
        }
    }

    @Override
    public void sendBytes(byte[] bytes, int offset, int length) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ByteBuffer[] frame = {ByteBuffer.allocate(4).putInt(0, length), ByteBuffer.wrap(bytes, offset, length)};
        synchronized (writeLock) {
            try {
                while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                    if (channel.write(frame) == 0) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw interruptedSend(frame[0].position() > 0);
                        }
                        writeSelector.selectedKeys().clear();
                        writeSelector.select(100);
                        checkOpen();
                    }
                }
            } catch (ClosedSelectorException e) {
                throw closedMeanwhile(e); // close() ran between our checkOpen() and the select
            } catch (IOException e) {
                checkOpen();
                throw e;
            }
        }
    }

    /**
     * {@code send} cannot declare {@link InterruptedException} (API.md): the flag stays set and a
     * {@link ProcessError} says so. A message cut in half would corrupt the stream, so then we close.
     */
    private ProcessError interruptedSend(boolean partlyWritten) {
        if (partlyWritten) {
            close();
        }
        return new ProcessError("interrupted while sending on " + this
                + (partlyWritten ? "; the message was cut, so the connection is closed" : "; nothing was sent"),
                new InterruptedException());
    }

    @Override
    public byte[] recvBytes() throws IOException, InterruptedException {
        return recvBytes(MAX_MESSAGE);
    }

    @Override
    public byte[] recvBytes(int maxLength) throws IOException, InterruptedException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength is negative: " + maxLength);
        }
        readLock.lock();
        try {
            checkOpen();
            if (pendingLength < 0) {
                pendingLength = readHeader();
            }
            if (pendingLength > maxLength) {
                int length = pendingLength;
                close();
                throw new IOException("message of " + length + " bytes exceeds the limit of " + maxLength
                        + " bytes; the connection is closed");
            }
            return readBody();
        } finally {
            unlockRead();
        }
    }

    @Override
    public boolean poll() throws IOException {
        if (!readLock.tryLock()) {
            checkOpen();
            return false; // NOTE: another thread is receiving: a receive here would wait for it
        }
        try {
            checkOpen();
            return in.hasRemaining() || eof || readSome() != 0;
        } finally {
            unlockRead();
        }
    }

    @Override
    public boolean poll(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + (timeout == null ? Long.MAX_VALUE / 2 : Math.max(0, Timeouts.nanos(timeout)));
        // NOTE: waits for another thread's receive to end at most until the deadline (timed and interruptible)
        if (!readLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            checkOpen();
            return false;
        }
        try {
            checkOpen();
            while (!(in.hasRemaining() || eof || readSome() != 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                awaitReadable(left);
            }
            return true;
        } finally {
            unlockRead();
        }
    }

    /**
     * Lets go of the receive side. If bytes stay buffered here (read ahead past a message) or the stream
     * ended, wakes the {@code Connections.waitFor} calls watching this connection.
     */
    private void unlockRead() {
        // NOTE: a waitFor that looked while this thread held the receive side saw "not ready" and sleeps in its
        // selector; bytes this thread read ahead left the socket, so the socket alone would never wake it
        boolean ready = in.hasRemaining() || eof;
        readLock.unlock();
        if (ready && !watchers.isEmpty()) { // NOTE: the common case, nobody waiting, walks no set
            for (Selector watcher : watchers) {
                watcher.wakeup();
            }
        }
    }

    /** The underlying channel, for {@code Connections.waitFor}. */
    SocketChannel channel() {
        return channel;
    }

    private int readHeader() throws IOException, InterruptedException {
        fill(4, true);
        int length = in.getInt();
        if (length < 0) {
            close();
            throw new IOException("corrupt message length " + length + "; the connection is closed");
        }
        return length;
    }

    /**
     * Reads the rest of the message of {@link #pendingLength} bytes into {@link #partial}. An interrupt
     * (or EOF) leaves both fields as they are, so the next receive continues this message.
     */
    private byte[] readBody() throws IOException, InterruptedException {
        int length = pendingLength;
        if (partial == null) {
            partial = new byte[Math.min(length, FIRST_CHUNK)];
            partialHave = 0;
        }
        while (partialHave < length) {
            if (!in.hasRemaining()) {
                fill(1, false);
            }
            if (partialHave == partial.length) {
                partial = Arrays.copyOf(partial, (int) Math.min(length, 2L * partial.length));
            }
            int n = Math.min(in.remaining(), partial.length - partialHave);
            in.get(partial, partialHave, n);
            partialHave += n;
        }
        byte[] out = partial;
        partial = null;
        partialHave = 0;
        pendingLength = -1;
        return out;
    }

    /** Blocks until at least {@code need} bytes are buffered; EOF before that is an {@link EOFException}. */
    private void fill(int need, boolean atBoundary) throws IOException, InterruptedException {
        while (in.remaining() < need) {
            int n = readSome();
            if (n < 0) {
                EOFException end = atBoundary && in.remaining() == 0
                        ? new EOFException("the peer closed the connection" + (reset != null ? " (reset)" : ""))
                        : new EOFException("the peer closed the connection in the middle of a message"
                                + (reset != null ? " (reset)" : ""));
                end.initCause(reset);
                throw end;
            }
            if (n == 0) {
                awaitReadable(Long.MAX_VALUE);
            }
        }
    }

    /** Reads what the socket has without blocking; -1 at end of stream. */
    private int readSome() throws IOException {
        if (eof) {
            return -1;
        }
        in.compact();
        try {
            int n = channel.read(in);
            if (n < 0) {
                eof = true;
            }
            return n;
        } catch (SocketException e) {
            checkOpen(e); // closed by another thread: say so
            // NOTE: "Connection reset" and the like: the peer ended with our bytes unread, or its process died
            // (see the class doc). Nothing can follow, so it is the end of the stream, and sticky as EOF is.
            eof = true;
            reset = e;
            return -1;
        } catch (IOException e) {
            checkOpen(e); // closed by another thread: say so, not ClosedChannelException
            throw e;
        } finally {
            in.flip();
        }
    }

    private void awaitReadable(long nanos) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long millis = nanos == Long.MAX_VALUE ? 0 : Math.max(1, nanos / 1_000_000);
        try {
            readSelector.selectedKeys().clear();
            readSelector.select(millis);
        } catch (ClosedSelectorException e) {
            throw closedMeanwhile(e); // close() ran between our checkOpen() and the select
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        checkOpen();
    }

    private void checkOpen() throws IOException {
        checkOpen(null);
    }

    private void checkOpen(Exception cause) throws IOException {
        if (closed) {
            throw new IOException("connection is closed", cause);
        }
    }

    /** Only {@link #close()} closes our selectors, so a closed one means the connection was closed. */
    private static IOException closedMeanwhile(ClosedSelectorException e) {
        return new IOException("connection is closed", e);
    }

    /**
     * Makes {@link #close()} wake {@code selector}, which a {@code Connections.waitFor} call sleeps in with
     * this connection's channel registered (closing a channel cancels its key but does not wake a selector),
     * and a receive that ends with bytes read ahead into this connection's buffer (the socket no longer has them).
     * Register before looking at {@link #closed()}: a close that runs meanwhile then wakes it.
     */
    public void watchedBy(Selector selector) {
        watchers.add(selector);
    }

    /** Undoes {@link #watchedBy(Selector)}. */
    public void unwatchedBy(Selector selector) {
        watchers.remove(selector);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        readSelector.wakeup();
        writeSelector.wakeup();
        for (Selector watcher : watchers) {
            watcher.wakeup(); // a no-op if that waitFor already closed it
        }
        try {
            readSelector.close();
            writeSelector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public boolean readable() {
        return true;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public String toString() {
        String remote;
        try {
            remote = String.valueOf(channel.getRemoteAddress());
        } catch (IOException | RuntimeException e) {
            remote = "?";
        }
        return "Connection[socket to " + remote + (closed ? ", closed]" : "]");
    }
}
