package org.multiprocessing4j;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * One end of a message channel between two processes (Python's {@code multiprocessing.connection.Connection}):
 * an end of a {@code Pipe}, a connection accepted by a {@link Listener}, or one made by
 * {@link Client#connect}.
 *
 * <p>Messages keep their boundaries: each {@code send}/{@code sendBytes} is one {@code recv}/{@code recvBytes}
 * on the other side, zero-length messages included, never merged or split. {@link #send(Object)} encodes the
 * object with the context's serializer (fast paths for primitives, strings and primitive arrays);
 * {@link #recvBytes()} returns a message's bytes as sent, whatever sent it.
 *
 * <table>
 *   <caption>Blocking</caption>
 *   <tr><th>call</th><th>blocks</th><th>when nothing can arrive</th></tr>
 *   <tr><td>{@code recv}, {@code recvBytes}, {@code recvBytesInto}</td><td>until a message arrives</td>
 *       <td>{@link EOFException} (peer closed or died, nothing buffered)</td></tr>
 *   <tr><td>{@code poll(Duration)}</td><td>up to the timeout</td><td>{@code true}: a read would not block (it
 *       would throw {@code EOFException})</td></tr>
 *   <tr><td>{@code poll()}</td><td>never</td><td>as above</td></tr>
 *   <tr><td>{@code send}, {@code sendBytes}</td><td>while the peer does not read and buffers are full</td>
 *       <td>{@link IOException}</td></tr>
 * </table>
 *
 * <p>Blocking receives throw {@link InterruptedException} when the thread is interrupted; a message that was
 * partly received then stays pending, and the next receive returns it whole. A send that blocks
 * on a full buffer and is interrupted keeps the interrupt flag and throws {@link ProcessError} (closing the
 * connection if the message was cut in half). Any call on a closed
 * connection, including one blocked in another thread when {@link #close()} runs, and a one-way end used in
 * the wrong direction, throws {@link IOException}. A message longer
 * than a reader's limit ({@link #recvBytes(int)}) makes the connection close, as in Python. Thread-safety:
 * one thread may send while another receives; concurrent senders (or receivers) must synchronize
 * themselves, as with Python's connections.
 *
 * <p>Handles: a {@code Pipe} end is {@link Serializable} as a handle (API.md): a child that captures it, or
 * receives it in a message, uses the same pipe. A connection from {@link Listener#accept()} or
 * {@link Client#connect} is a socket owned by this process and cannot be sent: serializing it throws
 * {@link java.io.NotSerializableException} saying so (have the other process connect itself).
 */
public interface Connection extends AutoCloseable, Serializable {

    /**
     * Sends {@code object} (which may be {@code null}) as one message.
     *
     * @param object the object to send (may be {@code null})
     * @throws IOException if this end is closed or cannot send, or the peer is gone
     */
    void send(Object object) throws IOException;

    /**
     * Receives one message sent by {@link #send(Object)} and decodes it.
     *
     * @return the decoded object (may be {@code null})
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered),
     *         or the message cannot be decoded here (its class is missing, or its readObject throws, an Error too: the
     *         message is consumed and the next recv takes the next one)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    Object recv() throws IOException, InterruptedException;

    /**
     * Sends all of {@code bytes} as one message.
     *
     * @param bytes the message
     * @throws IOException if this end is closed or cannot send, or the peer is gone
     */
    default void sendBytes(byte[] bytes) throws IOException {
        sendBytes(bytes, 0, bytes.length);
    }

    /**
     * Sends {@code length} bytes of {@code bytes} from {@code offset} as one message.
     *
     * @param bytes the message
     * @param offset the index of the first byte to send
     * @param length the number of bytes to send
     * @throws IOException if this end is closed or cannot send, or the peer is gone
     */
    void sendBytes(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Receives one message's bytes.
     *
     * @return the message's bytes
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    byte[] recvBytes() throws IOException, InterruptedException;

    /**
     * Receives one message's bytes; a message longer than {@code maxLength} throws {@link IOException} and
     * closes this connection (its bytes are not read into memory).
     *
     * @param maxLength the longest message accepted, in bytes
     * @return the message's bytes
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    byte[] recvBytes(int maxLength) throws IOException, InterruptedException;

    /**
     * Receives one message into {@code buffer} at {@code offset} and returns its length. If it does not fit,
     * throws {@link BufferTooShortException} carrying the whole message (which is consumed).
     *
     * @param buffer where the message goes
     * @param offset where in {@code buffer} the message goes
     * @return the message's length in bytes
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    default int recvBytesInto(byte[] buffer, int offset) throws IOException, InterruptedException {
        Objects.checkIndex(offset, buffer.length + 1);
        byte[] message = recvBytes();
        if (message.length > buffer.length - offset) {
            throw new BufferTooShortException(message, buffer.length - offset);
        }
        System.arraycopy(message, 0, buffer, offset, message.length);
        return message.length;
    }

    /**
     * True if a receive would not block now. Never blocks, never consumes. While another thread of this
     * process is inside a receive on this end, false: that receive takes what arrives, and one here would wait
     * for it.
     *
     * @return {@code true} if a receive would not block now
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered)
     */
    boolean poll() throws IOException;

    /**
     * Waits up to {@code timeout} (zero or negative: just look; {@code null}: no limit, as Python's
     * {@code poll(None)}) until a receive would not block (as {@link #poll()}: not while another thread of this
     * process is inside a receive on this end).
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking; {@code null}: no limit
     * @return {@code true} if a receive would not block
     * @throws IOException if this end is closed or cannot receive ({@link EOFException} for a receive when the peer closed or died and nothing is buffered)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean poll(Duration timeout) throws IOException, InterruptedException;

    /** Closes this end. Idempotent; never throws. The peer reads what was sent before, then EOF. */
    @Override
    void close();

    /** {@return whether this end was closed (in this process)} Never blocks. */
    boolean closed();

    /** {@return whether this end can receive (false for the send-only end of a one-way pipe)} */
    boolean readable();

    /** {@return whether this end can send (false for the receive-only end of a one-way pipe)} */
    boolean writable();
}
