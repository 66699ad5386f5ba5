package org.multiprocessing4j.internal.conn;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.multiprocessing4j.AuthenticationException;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.wire.Handshake;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Watchdog;

/**
 * Runs the authkey handshake on a fresh socket, within a deadline, and wraps it as a connection.
 *
 * <p>The deadline ({@value #HANDSHAKE_TIMEOUT_MS} ms) counts from the moment the handshake can make
 * progress. The acceptor's side starts it at once: its peer is connected and must answer. The connector's
 * side starts it only when the acceptor's challenge begins to arrive: the acceptor sends it from
 * {@code accept()}, and until then the connection may wait in the listen backlog for any time, as in
 * Python. That wait has no limit and ends on an interrupt.
 */
public final class Authenticated {
    /** A peer must finish the handshake within this, or it is dropped. */
    public static final long HANDSHAKE_TIMEOUT_MS = 20_000;

    private Authenticated() {
    }

    /**
     * @param acceptor true on the side that accepted the socket
     * @throws AuthenticationException if either side's key is wrong (the channel is closed)
     * @throws IOException             naming the limit, if the handshake did not finish in time (the channel
     *                                 is closed)
     * @throws InterruptedException    if interrupted meanwhile (the channel is closed)
     */
    public static SocketConnection connection(SocketChannel channel, byte[] authkey, boolean acceptor, ObjectCodec codec)
            throws IOException, InterruptedException {
        return connection(channel, authkey, acceptor, codec, true);
    }

    /**
     * As {@link #connection(SocketChannel, byte[], boolean, ObjectCodec)}; with {@code awaitAccept} false, the
     * connecting side's limit also counts the wait to be accepted (see the class doc).
     */
    public static SocketConnection connection(SocketChannel channel, byte[] authkey, boolean acceptor, ObjectCodec codec,
                                              boolean awaitAccept) throws IOException, InterruptedException {
        boolean ok = false;
        try {
            if (!acceptor && awaitAccept) {
                awaitChallenge(channel);
            }
            SocketConnection connection = new SocketConnection(handshake(channel, authkey, acceptor), codec);
            ok = true;
            return connection;
        } finally {
            if (!ok) {
                closeQuietly(channel);
            }
        }
    }

    /** Runs one side of the handshake on {@code channel} (blocking) under the watchdog; returns the channel. */
    private static SocketChannel handshake(SocketChannel channel, byte[] authkey, boolean acceptor)
            throws IOException, InterruptedException {
        long limit = Configuration.handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = Watchdog.after(limit, () -> {
            expired.set(true);
            closeQuietly(channel);
        });
        try {
            channel.configureBlocking(true);
            if (acceptor) {
                Handshake.accept(channel, authkey);
            } else {
                Handshake.connect(channel, authkey);
            }
            if (!deadline.cancel(false)) {
                throw expired(limit, null);
            }
            return channel;
        } catch (ClosedByInterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted during the authkey handshake");
        } catch (IOException e) {
            // NOTE: the watchdog closed the channel under a read: AsynchronousCloseException, which says nothing
            throw expired.get() ? expired(limit, e) : e;
        } finally {
            deadline.cancel(false);
        }
    }

    private static IOException expired(long limit, IOException cause) {
        return new IOException("the peer did not finish the authkey handshake within " + limit + " ms", cause);
    }

    /**
     * Waits, without a limit, until the acceptor's first message starts to arrive (or the connection ends):
     * it is sent only once the listener has called {@code accept()}. Parks a virtual thread (the JDK's
     * selector does), and ends on an interrupt.
     */
    private static void awaitChallenge(SocketChannel channel) throws IOException, InterruptedException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for the listener to accept the connection");
                }
                if (selector.select() > 0) {
                    break;
                }
            }
        }
        // NOTE: closing the selector deregistered the channel, which a blocking channel must not be
    }

    /** The authkey of this process tree (what Python's {@code current_process().authkey} holds). */
    public static byte[] treeAuthkey() {
        return ProcessTree.self().authkey();
    }

    public static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
