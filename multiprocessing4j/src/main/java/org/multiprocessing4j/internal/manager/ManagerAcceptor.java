package org.multiprocessing4j.internal.manager;

import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.internal.conn.Authenticated;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * Accepts connections to a manager and serves each on a thread of its own (see {@link ManagerWire} for the
 * set-up and the frames).
 *
 * <p>Hostile peers harm only themselves: each connection is authenticated on its own thread (the HMAC
 * handshake reads a small bounded number of bytes and must finish within
 * {@link Authenticated#HANDSHAKE_TIMEOUT_MS}), nothing is deserialized before that, so a peer sending
 * garbage fails its handshake and one that stalls is dropped at the deadline, while the accept loop and
 * other connections carry on. After authentication a frame longer than {@code maxMessageBytes} closes
 * that connection without reading it. Thread-safe; {@link #close()} stops accepting, closes every
 * connection, removes a Unix-domain socket file, and ends the connections' threads: it interrupts those
 * still running a call in a served object (a {@code take()} waiting on a registrant's queue), so that no
 * call outlives the server and consumes an item meant for someone else, and waits for them.
 *
 * <p>A call whose client goes away while it runs (the client thread was interrupted and dropped the
 * connection, or the client process ended) is interrupted as well, by {@link AbandonedCalls}: a
 * {@code take()} then ends without taking anything; a method that ignores interrupts runs on.
 */
final class ManagerAcceptor implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Connections the kernel queues for accept: the default (50) overflowed under bursts of first calls from many processes. */
    private static final int BACKLOG = 1024;
    /** How long {@link #close()} waits for the connections' threads to end once interrupted. */
    private static final Duration CALLS_END_GRACE = Duration.ofSeconds(2);

    private final ServerSocketChannel server;
    private final SocketAddress address;
    private final Path socketFile;
    private final byte[] authkey;
    private ManagerCore core;
    private final int maxMessageBytes;
    private final ClassLoader loader;
    private final ObjectCodec codec = ManagerWire.codec();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final Set<SocketChannel> handshaking = ConcurrentHashMap.newKeySet();
    /** The threads serving connections (see {@link #close()}). */
    private final Set<Thread> serving = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Thread acceptThread;
    /** Interrupts calls whose client went away; started with the accept loop. */
    private AbandonedCalls abandoned;

    ManagerAcceptor(SocketAddress bind, byte[] authkey, int maxMessageBytes) throws IOException {
        this.authkey = authkey.clone();
        this.maxMessageBytes = maxMessageBytes;
        this.loader = ManagerClient.loader();
        if (bind instanceof UnixDomainSocketAddress uds) {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            socketFile = uds.getPath();
        } else {
            server = ServerSocketChannel.open();
            socketFile = null;
        }
        try {
            if (socketFile != null) {
                // NOTE: bound (and listening) under a temporary name, then renamed: the socket file appears
                // only once it accepts, so its existence tells a waiting parent that the manager serves.
                if (Files.exists(socketFile, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BindException("Address already in use: " + socketFile + " exists");
                }
                Path binding = socketFile.resolveSibling(socketFile.getFileName() + ".binding");
                server.bind(UnixDomainSocketAddress.of(binding), BACKLOG);
                Files.move(binding, socketFile, StandardCopyOption.ATOMIC_MOVE);
                address = UnixDomainSocketAddress.of(socketFile);
            } else {
                server.bind(bind, BACKLOG);
                address = server.getLocalAddress();
            }
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    SocketAddress address() {
        return address;
    }

    /** Starts the accept loop on a daemon thread, feeding requests to {@code core}. */
    void start(ManagerCore core) {
        this.core = core;
        abandoned = new AbandonedCalls();
        acceptThread = Thread.ofPlatform().daemon().name("mp4j-manager-accept-" + THREADS.incrementAndGet()).start(this::acceptLoop);
    }

    private void acceptLoop() {
        long backoffMillis = 0;
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
                backoffMillis = 0;
            } catch (IOException e) {
                if (closed || !server.isOpen()) {
                    return;
                }
                // NOTE: "too many open files" and the like: this manager must go on accepting once they pass
                // (it used to stop for good, while its clients waited)
                backoffMillis = Math.min(1_000, Math.max(10, backoffMillis * 2));
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            handshaking.add(channel);
            Thread.ofPlatform().daemon().name("mp4j-manager-conn-" + THREADS.incrementAndGet())
                    .start(() -> serve(channel));
        }
    }

    private void serve(SocketChannel channel) {
        serving.add(Thread.currentThread());
        try {
            if (!closed) {
                serveConnection(channel);
            } else {
                Authenticated.closeQuietly(channel);
            }
        } finally {
            serving.remove(Thread.currentThread());
        }
    }

    private void serveConnection(SocketChannel channel) {
        Thread.currentThread().setContextClassLoader(loader);
        Connection socket;
        try {
            socket = Authenticated.connection(channel, authkey, true, codec);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return; // a wrong key, garbage, a stalled peer or closing: drop this peer only
        } finally {
            handshaking.remove(channel);
        }
        Connection connection = socket;
        long session;
        try {
            Object[] hello = (Object[]) codec.decode(socket.recvBytes(ManagerWire.MAX_HELLO_BYTES), loader);
            if ((Integer) hello[0] != ManagerWire.HELLO) {
                throw new IOException("the first frame is not a HELLO");
            }
            session = (Long) hello[1];
            if (hello[2] instanceof RingConnection ring) {
                ring.sendBytes(codec.encode(new Object[] {ManagerWire.OK, null}, "a manager hello"));
                socket.close();
                connection = ring;
            } else if (hello[2] != null) {
                throw new IOException("a HELLO carries a pipe end or nothing");
            }
        } catch (IOException | ClassNotFoundException | InterruptedException | RuntimeException e) {
            socket.close();
            return;
        }
        open.add(connection);
        if (address instanceof InetSocketAddress bound && bound.getAddress().isAnyLocalAddress()) {
            try {
                core.handlesOnThisThreadCarry(ManagerAddress.format(channel.getLocalAddress()));
            } catch (IOException closedMeanwhile) {
                // its first read fails below
            }
        }
        core.connectionStarted(session);
        try {
            if (closed) {
                return;
            }
            while (true) {
                byte[] request = connection.recvBytes(maxMessageBytes);
                AbandonedCalls.Call call = abandoned.begin(connection);
                byte[] reply;
                try {
                    reply = core.answer(request, session, loader);
                } finally {
                    abandoned.end(call); // NOTE: before the reply goes out (see AbandonedCalls)
                }
                connection.sendBytes(reply);
                if (core.shutdownRequested()) {
                    core.stop(); // after the reply: whoever closes the server now cannot cut it off
                    return;
                }
                if (core.stopping()) {
                    return;
                }
            }
        } catch (EOFException e) {
            // the client closed the connection or its process ended
        } catch (IOException | InterruptedException | RuntimeException e) {
            // an oversize frame, a broken connection, or closing
        } finally {
            open.remove(connection);
            connection.close();
            core.connectionEnded(session);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel channel : handshaking) {
            Authenticated.closeQuietly(channel);
        }
        for (Connection c : open) {
            c.close();
        }
        endServingThreads();
        if (abandoned != null) {
            abandoned.close(CALLS_END_GRACE);
        }
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException ignored) {
                // the runtime directory goes with the tree
            }
        }
        if (acceptThread != null) {
            try {
                acceptThread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Interrupts the threads still serving (their connections are closed already, so a client waiting for a
     * reply sees the end, not the interrupt) and waits up to {@link #CALLS_END_GRACE} for them: a call
     * waiting in a served object (a registrant's queue's {@code take}) ends instead of taking a later item
     * that no reply could carry. A method that ignores interrupts runs on; this thread is skipped (close
     * called from a served method).
     */
    private void endServingThreads() {
        Thread self = Thread.currentThread();
        for (Thread t : serving) {
            if (t != self) {
                t.interrupt();
            }
        }
        long deadline = System.nanoTime() + CALLS_END_GRACE.toNanos();
        boolean interrupted = false;
        for (Thread t : serving) {
            long left = deadline - System.nanoTime();
            if (t == self || left <= 0) {
                continue;
            }
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            self.interrupt();
        }
    }
}
