package org.multiprocessing4j;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.internal.conn.Authenticated;
import org.multiprocessing4j.internal.conn.SocketFiles;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * Accepts authenticated connections (Python's {@code multiprocessing.connection.Listener}), on a
 * Unix-domain socket ({@link UnixDomainSocketAddress}) or TCP ({@link InetSocketAddress}; bind to a loopback
 * address unless other machines must connect).
 *
 * <pre>{@code
 * try (Listener listener = new Listener(new InetSocketAddress("127.0.0.1", 0), authkey)) {
 *     Connection conn = listener.accept();   // the peer proved it holds authkey
 *     conn.send("hello");
 * }
 * }</pre>
 *
 * <p>Every accepted peer must pass a mutual HMAC-SHA256 challenge-response on the authkey (CPython's scheme)
 * before anything it sends is read as a message; unlike Python, there is no unauthenticated mode: without
 * an explicit key the process tree's own authkey is used. {@link #accept()} blocks until a peer has
 * authenticated; a peer with the wrong key makes it throw {@link AuthenticationException} (and the peer gets
 * one too). Thread-safe; {@link #close()} is idempotent and removes a Unix-domain socket file it created;
 * the file of a listener never closed is removed when the JVM exits normally (as in Python).
 *
 * <p>Not {@link java.io.Serializable}, unlike queues and pipe ends: a listening socket cannot be handed to
 * another JVM (Java has no file-descriptor passing), and CPython's {@code Listener} cannot be pickled
 * either. Give a child the {@link #address()} (and the authkey) and let it connect with {@link Client}.
 */
public final class Listener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final byte[] authkey;
    private final SocketAddress address;
    private final Path socketFile;
    private volatile boolean closed;
    /** Accepted channels whose handshake runs now: {@link #close()} closes them. */
    private final Set<SocketChannel> handshakes = ConcurrentHashMap.newKeySet();

    /**
     * A Unix-domain listener at a fresh path in this process tree's private runtime directory.
     *
     * @throws IOException if it cannot listen there
     */
    public Listener() throws IOException {
        this(UnixDomainSocketAddress.of(ProcessTree.treeDirectory().resolve(
                "listener-" + HexFormat.of().formatHex(Nonces.next(8)) + ".sock")));
    }

    /**
     * A listener at {@code address} that requires the process tree's authkey.
     *
     * @param address where to listen: a Unix-domain socket path or an IP address and port
     * @throws IOException if it cannot listen there
     */
    public Listener(SocketAddress address) throws IOException {
        this(address, Authenticated.treeAuthkey());
    }

    /**
     * A listener at {@code address} (port 0: any free port, see {@link #address()}) that requires
     * {@code authkey}.
     *
     * @param address where to listen: a Unix-domain socket path or an IP address and port
     * @param authkey the shared secret both ends must know
     * @throws IllegalArgumentException if {@code authkey} is empty or the address type is not supported
     * @throws IOException if it cannot listen there
     */
    public Listener(SocketAddress address, byte[] authkey) throws IOException {
        Objects.requireNonNull(address, "address");
        if (Objects.requireNonNull(authkey, "authkey").length == 0) {
            throw new IllegalArgumentException("authkey is empty");
        }
        this.authkey = authkey.clone();
        if (address instanceof UnixDomainSocketAddress uds) {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            socketFile = uds.getPath();
        } else if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new IOException("cannot listen on " + address + ": the host name " + inet.getHostString() + " did not resolve");
            }
            server = ServerSocketChannel.open();
            socketFile = null;
        } else {
            throw new IllegalArgumentException("unsupported address type " + address.getClass().getName()
                    + ": use an InetSocketAddress or a UnixDomainSocketAddress");
        }
        try {
            server.bind(address);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            if (socketFile != null) {
                SocketFiles.opened(socketFile);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot listen on " + address + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        this.address = server.getLocalAddress();
    }

    /**
     * Blocks until a peer connects and authenticates; returns the connection. A peer that connected
     * earlier waits in the backlog until this call, without a limit (as in Python). A peer that does not
     * finish the handshake within 20 s of this call taking it is dropped: this call then throws
     * {@link IOException} saying it "did not finish the authkey handshake" (this listener stays usable).
     * An interrupt pending at the call throws at once and leaves waiting peers in the backlog for the next
     * call; one that comes during a peer's handshake ends it, and that peer's connection is closed.
     *
     * @return the connection to the peer
     * @throws AuthenticationException if the peer's key is wrong (this listener stays usable)
     * @throws InterruptedException    if interrupted before or while waiting, or during a peer's handshake
     *                                 (this listener stays usable)
     * @throws IOException             if this listener is closed, or the peer stalled in the handshake
     */
    public Connection accept() throws IOException, InterruptedException {
        while (true) {
            checkOpen();
            if (Thread.interrupted()) {
                // NOTE: before taking a peer from the backlog: the handshake would fail on the interrupt and
                // close the peer's connection, losing a peer that a later accept() would have served
                throw new InterruptedException();
            }
            SocketChannel channel;
            try {
                channel = server.accept();
                if (channel == null) {
                    synchronized (selector) {
                        selector.selectedKeys().clear();
                        selector.select(1000);
                    }
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    continue;
                }
            } catch (IOException | ClosedSelectorException e) {
                // NOTE: close() may run between checkOpen() and the accept or the select: the channel or the
                // selector is then closed under this call (a ClosedSelectorException is unchecked)
                checkOpen();
                throw e instanceof IOException io ? io : new IOException(e);
            }
            return authenticate(channel);
        }
    }

    /**
     * Runs the handshake on an accepted {@code channel}, which {@link #close()} closes if it comes first:
     * a peer that connects and then says nothing cannot hold {@code accept()} past {@code close()}.
     */
    private Connection authenticate(SocketChannel channel) throws IOException, InterruptedException {
        String peer;
        try {
            SocketAddress remote = channel.getRemoteAddress();
            peer = remote instanceof InetSocketAddress ? "; the peer connected from " + remote : "";
        } catch (IOException closedAlready) {
            peer = ""; // the handshake fails below
        }
        handshakes.add(channel);
        try {
            if (closed) {
                channel.close(); // NOTE: close() may have run before the add: it did not see this channel
            }
            return Authenticated.connection(channel, authkey, true, Multiprocessing.defaultContext().codec());
        } catch (AuthenticationException e) {
            // NOTE: the handshake names no endpoint: say which listener and which peer (a Unix socket's peer has no name)
            AuthenticationException named = new AuthenticationException("listener " + address + ": " + e.getMessage() + peer);
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            if (closed) {
                channel.close();
                throw new IOException("listener was closed while authenticating a peer: " + address, e);
            }
            throw e;
        } finally {
            handshakes.remove(channel);
        }
    }

    /** {@return the bound address; with port 0, the real port} */
    public SocketAddress address() {
        return address;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("listener is closed: " + address);
        }
    }

    /**
     * Stops listening and removes a Unix-domain socket file. A thread blocked in {@link #accept()}, also
     * one in the middle of a peer's handshake, gets {@link IOException} at once. Idempotent; connections
     * already returned stay open.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SocketChannel peer : handshakes) {
            try {
                peer.close(); // its accept() then fails with IOException at once
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.wakeup();
            server.close();
            selector.close();
            if (socketFile != null) {
                SocketFiles.closed(socketFile);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "Listener[" + address + (closed ? ", closed]" : "]");
    }
}
