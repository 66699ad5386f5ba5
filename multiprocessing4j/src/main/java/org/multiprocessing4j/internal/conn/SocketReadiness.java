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
     * Registers the connection's channel for reading with {@code selector}.
     *
     * @throws IllegalArgumentException for a connection of a kind that cannot be waited for yet
     */
    public static void register(Connection connection, Selector selector) throws IOException {
        if (connection instanceof SocketConnection socket) {
            if (socket.closed()) {
                throw new IOException("connection is closed: " + socket);
            }
            socket.channel().register(selector, SelectionKey.OP_READ);
        } else {
            throw new IllegalArgumentException("cannot wait for a " + connection.getClass().getName());
        }
    }
}
