package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.multiprocessing4j.internal.wire.FrameChannel;
import org.multiprocessing4j.internal.wire.Handshake;
import org.multiprocessing4j.internal.wire.Watchdog;

/**
 * This JVM's Unix-domain socket where its children connect back. One per JVM, bound on first use in the
 * tree's runtime directory (0700, so only this user can even connect), removed at exit.
 *
 * <p>Each connection must finish the authkey {@link Handshake} and then name itself with the 16-byte
 * token it was given on stdin, within {@link #HANDSHAKE_TIMEOUT_MS}; otherwise it is closed. Only then is
 * it handed, as a {@link FrameChannel}, to whoever {@link #expect expects} that token. A connection with an
 * unknown token is closed. Nothing is deserialized here.
 */
public final class Rendezvous {
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;

    private static Rendezvous instance;

    private final ServerSocketChannel server;
    private final Path path;
    private final ConcurrentHashMap<String, CompletableFuture<FrameChannel>> pending = new ConcurrentHashMap<>();

    private Rendezvous(Path path) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread acceptor = new Thread(this::acceptLoop, "mp4j-rendezvous");
        acceptor.setDaemon(true);
        acceptor.start();
        ExitSequence.add(ExitSequence.Phase.RUNTIME_FILES, this::close);
    }

    /** This JVM's rendezvous, bound on first call. */
    public static synchronized Rendezvous get() {
        if (instance == null) {
            Path dir = ProcessTree.treeDirectory();
            Path socket = dir.resolve("rv-" + ProcessHandle.current().pid() + ".sock");
            try {
                instance = new Rendezvous(socket);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind the rendezvous socket " + socket, e);
            }
        }
        return instance;
    }

    public Path path() {
        return path;
    }

    /** Registers a token; the future completes when its child has connected and authenticated. */
    public CompletableFuture<FrameChannel> expect(byte[] token) {
        CompletableFuture<FrameChannel> f = new CompletableFuture<>();
        pending.put(HexFormat.of().formatHex(token), f);
        return f;
    }

    /** Forgets a token whose child will never connect. */
    public void forget(byte[] token) {
        pending.remove(HexFormat.of().formatHex(token));
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                // NOTE: platform threads, here and for the link readers: a virtual thread's socket I/O starts
                // the JDK's poller thread, which then sits in native code and delays every exit by 300 ms.
                Thread.ofPlatform().daemon().name("mp4j-rendezvous-handshake").start(() -> admit(channel));
            } catch (IOException e) {
                if (server.isOpen()) {
                    System.err.println("multiprocessing4j: rendezvous accept failed: " + e);
                }
            }
        }
    }

    private void admit(SocketChannel channel) {
        ScheduledFuture<?> timeout = Watchdog.after(HANDSHAKE_TIMEOUT_MS, () -> closeQuietly(channel));
        try {
            Handshake.accept(channel, ProcessTree.self().authkey());
            ByteBuffer token = ByteBuffer.allocate(Bootstrap.tokenBytes());
            while (token.hasRemaining()) {
                if (channel.read(token) < 0) {
                    throw new IOException("closed before naming itself");
                }
            }
            if (!timeout.cancel(false)) {
                return; // the watchdog closed it
            }
            CompletableFuture<FrameChannel> f = pending.remove(HexFormat.of().formatHex(token.array()));
            if (f == null || !f.complete(new FrameChannel(channel, Frames.MAX_FRAME_BYTES))) {
                closeQuietly(channel);
            }
        } catch (IOException | RuntimeException e) {
            timeout.cancel(false);
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
