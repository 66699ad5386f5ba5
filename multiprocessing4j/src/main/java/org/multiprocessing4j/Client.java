package org.multiprocessing4j;

import java.io.IOException;
import java.net.SocketAddress;
import org.multiprocessing4j.internal.conn.Authenticated;
import org.multiprocessing4j.internal.conn.Dial;

/**
 * Connects to a {@link Listener} (Python's {@code multiprocessing.connection.Client}). Both sides prove
 * they hold the authkey before any message is read. Blocks until connected and authenticated.
 *
 * <p>As in Python, a connection may wait in the listener's backlog for as long as the listener takes to
 * call {@link Listener#accept()}: that wait has no limit (an interrupt ends it). Once the listener has
 * accepted and sent its challenge, the rest of the handshake must finish within 20 s, or
 * {@code connect} throws {@link IOException} saying the peer "did not finish the authkey handshake".
 */
public final class Client {
    private Client() {
    }

    /**
     * Connects to {@code address} with the process tree's authkey.
     *
     * @param address the listener's address
     * @return the connection, authenticated
     * @throws IOException if nothing listens there
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public static Connection connect(SocketAddress address) throws IOException, InterruptedException {
        return connect(address, Authenticated.treeAuthkey());
    }

    /**
     * Connects to {@code address} and authenticates with {@code authkey}.
     *
     * @param address the listener's address
     * @param authkey the shared secret both ends must know
     * @return the connection, authenticated
     * @throws AuthenticationException if either side's key is wrong
     * @throws IOException             if nothing listens there, the listener closed before accepting, or
     *                                 the handshake stalled for 20 s after the listener accepted
     * @throws InterruptedException    if interrupted while connecting, waiting to be accepted, or
     *                                 authenticating (the interrupt flag is cleared)
     */
    public static Connection connect(SocketAddress address, byte[] authkey) throws IOException, InterruptedException {
        return Dial.connect(address, authkey, true, Multiprocessing.defaultContext().codec());
    }
}
