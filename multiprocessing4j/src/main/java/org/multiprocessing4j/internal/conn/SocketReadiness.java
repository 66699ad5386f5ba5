package org.multiprocessing4j.internal.conn;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.multiprocessing4j.Connection;

/** Lets {@code Connections.waitFor} sleep in one selector over many socket connections. */
public final class SocketReadiness {
    private SocketReadiness() {
    }

    /**
     * Registers the connection's channel for reading with {@code selector}, and makes the connection's
     * {@link Connection#close() close()}, from any thread, wake {@code selector}, as does another thread's receive
     * that leaves bytes buffered in the connection.
     *
     * @return what undoes the second part; run it before closing {@code selector}
     * @throws IOException              if the connection is closed
     * @throws IllegalArgumentException for a connection of a kind that cannot be waited for yet
     */
    public static Runnable register(Connection connection, Selector selector) throws IOException {
        if (connection instanceof SocketConnection socket) {
            socket.watchedBy(selector); // NOTE: before the closed check, so a close meanwhile wakes the selector
            try {
                if (socket.closed()) {
                    throw new IOException("connection is closed: " + socket);
                }
                socket.channel().register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                socket.unwatchedBy(selector);
                throw e;
            }
            return () -> socket.unwatchedBy(selector);
        } else {
            throw new IllegalArgumentException("cannot wait for a " + connection.getClass().getName());
        }
    }
}
