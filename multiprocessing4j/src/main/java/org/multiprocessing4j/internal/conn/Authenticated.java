package org.multiprocessing4j.internal.conn;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import org.multiprocessing4j.AuthenticationException;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.wire.Handshake;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Watchdog;

/** Runs the authkey handshake on a fresh socket, within a deadline, and wraps it as a connection. */
public final class Authenticated {
    /** A peer must finish the handshake within this, or it is dropped. */
    public static final long HANDSHAKE_TIMEOUT_MS = 20_000;

    private Authenticated() {
    }

    /**
     * @param acceptor true on the side that accepted the socket
     * @throws AuthenticationException if either side's key is wrong (the channel is closed)
     * @throws InterruptedException    if interrupted meanwhile (the channel is closed)
     */
    public static SocketConnection connection(SocketChannel channel, byte[] authkey, boolean acceptor, ObjectCodec codec)
            throws IOException, InterruptedException {
        ScheduledFuture<?> deadline = Watchdog.after(HANDSHAKE_TIMEOUT_MS, () -> closeQuietly(channel));
        boolean ok = false;
        try {
            channel.configureBlocking(true);
            if (acceptor) {
                Handshake.accept(channel, authkey);
            } else {
                Handshake.connect(channel, authkey);
            }
            if (!deadline.cancel(false)) {
                throw new IOException("the peer did not finish the authkey handshake within " + HANDSHAKE_TIMEOUT_MS + " ms");
            }
            SocketConnection connection = new SocketConnection(channel, codec);
            ok = true;
            return connection;
        } catch (ClosedByInterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted during the authkey handshake");
        } finally {
            deadline.cancel(false);
            if (!ok) {
                closeQuietly(channel);
            }
        }
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
