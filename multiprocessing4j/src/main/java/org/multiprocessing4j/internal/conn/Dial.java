package org.multiprocessing4j.internal.conn;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import org.multiprocessing4j.AuthenticationException;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * Opens and authenticates a socket connection to a listener: {@code Client.connect}, and a manager
 * client's connections. Stateless, thread-safe.
 */
public final class Dial {
    private Dial() {
    }

    /**
     * Connects to {@code address} and authenticates with {@code authkey}.
     *
     * @param awaitAccept true: wait without a limit until the listener accepts (Python's {@code Client});
     *        false: the handshake's limit also counts the time spent waiting to be accepted (a manager's
     *        client: a manager that stops accepting is then reported as unavailable, not waited for)
     * @param codec what the connection's {@code send}/{@code recv} encode objects with
     * @throws AuthenticationException if either side's key is wrong (the message names {@code address})
     * @throws IOException if nothing listens there, or the listener closed or stalled (the message names {@code address})
     * @throws InterruptedException if interrupted (the interrupt flag is cleared)
     */
    public static Connection connect(SocketAddress address, byte[] authkey, boolean awaitAccept, ObjectCodec codec)
            throws IOException, InterruptedException {
        Objects.requireNonNull(address, "address");
        if (Objects.requireNonNull(authkey, "authkey").length == 0) {
            throw new IllegalArgumentException("authkey is empty");
        }
        SocketChannel channel;
        if (address instanceof UnixDomainSocketAddress) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new IOException("cannot connect to " + address + ": the host name " + inet.getHostString() + " did not resolve");
            }
            channel = SocketChannel.open();
        } else {
            throw new IllegalArgumentException("unsupported address type " + address.getClass().getName()
                    + ": use an InetSocketAddress or a UnixDomainSocketAddress");
        }
        try {
            channel.connect(address);
        } catch (ClosedByInterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while connecting to " + address);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot connect to " + address + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        try {
            return Authenticated.connection(channel, authkey.clone(), false, codec, awaitAccept);
        } catch (AuthenticationException e) {
            // NOTE: the handshake runs on a bare channel and names no endpoint: say which listener refused us
            AuthenticationException named = new AuthenticationException("cannot connect to " + address + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (EOFException | SocketException e) {
            // NOTE: the listener closed (EOF) or reset the connection during the handshake: say where and when
            throw new IOException("cannot connect to " + address + ": the listener closed the connection during the"
                    + " authkey handshake (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IOException("cannot connect to " + address + ": " + e.getMessage(), e); // the handshake's limit passed
        }
    }
}
