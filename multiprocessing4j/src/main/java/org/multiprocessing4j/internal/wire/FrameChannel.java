package org.multiprocessing4j.internal.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Length-prefixed typed frames over an authenticated {@link SocketChannel}.
 *
 * <p>Wire format: {@code length(4, big-endian, counts type + payload) | type(1) | payload}. A length
 * above {@link #maxFrameBytes} is refused before anything is allocated, and the channel is closed.
 *
 * <p>Thread-safety: {@link #send} may be called from any thread (writes are serialized by a lock, so
 * frames never interleave); {@link #receive} must be called by one thread at a time.
 */
public final class FrameChannel implements AutoCloseable {
    /** A received frame. */
    public record Frame(byte type, byte[] payload) {
    }

    private final SocketChannel channel;
    private final int maxFrameBytes;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ByteBuffer header = ByteBuffer.allocate(5);

    public FrameChannel(SocketChannel channel, int maxFrameBytes) {
        this.channel = channel;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Sends one frame; blocks until the kernel took it. */
    public void send(byte type, byte[] payload) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(5 + payload.length);
        out.putInt(payload.length + 1).put(type).put(payload).flip();
        writeLock.lock();
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Blocks until a frame arrives; returns {@code null} at a clean end of stream between frames. */
    public Frame receive() throws IOException {
        header.clear();
        while (header.hasRemaining()) {
            if (channel.read(header) < 0) {
                if (header.position() == 0) {
                    return null;
                }
                throw new EOFException("peer closed the connection inside a frame header");
            }
        }
        header.flip();
        int length = header.getInt();
        byte type = header.get();
        if (length < 1 || length - 1 > maxFrameBytes) {
            channel.close();
            throw new IOException("refused a frame of " + length + " bytes (limit " + maxFrameBytes + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(length - 1);
        while (body.hasRemaining()) {
            if (channel.read(body) < 0) {
                throw new EOFException("peer closed the connection inside a frame of " + length + " bytes");
            }
        }
        return new Frame(type, body.array());
    }

    public SocketChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
