package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.AuthenticationException;

class HandshakeTest {
    @TempDir
    Path dir;

    @Test
    void matching_keys_authenticate_both_sides() throws Exception {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes();
        assertNull(exchange(key, key.clone()), "acceptor side succeeded");
    }

    @Test
    void a_wrong_key_fails_on_both_sides() throws Exception {
        Throwable acceptorFailure = exchange("right-key".getBytes(), "wrong-key".getBytes());
        assertInstanceOf(AuthenticationException.class, acceptorFailure);
    }

    /** Runs both sides; returns the acceptor's failure (or null) and asserts the connector's outcome matches. */
    private Throwable exchange(byte[] acceptorKey, byte[] connectorKey) throws Exception {
        Path socket = dir.resolve("hs.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Throwable> acceptor = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel ch = server.accept()) {
                    Handshake.accept(ch, acceptorKey);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                if (java.util.Arrays.equals(acceptorKey, connectorKey)) {
                    Handshake.connect(ch, connectorKey);
                } else {
                    assertThrows(AuthenticationException.class, () -> Handshake.connect(ch, connectorKey));
                }
            }
            return acceptor.get(60, TimeUnit.SECONDS);
        }
    }
}
