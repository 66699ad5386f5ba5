package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.wire.Handshake;

/**
 * {@code Connections.waitFor} on a socket connection that another thread of this process receives on: a
 * message that receive read ahead into the connection's buffer is ready, as in CPython (whose receive reads
 * no further than its message, so the next one stays in the socket for {@code wait} to see).
 */
class SocketWaitForBufferedMessageTest extends ChildProcessTestBase {
    private static final byte[] KEY = "wait-buffered-key".getBytes();

    /**
     * A receive here reads the end of message A and all of message B in one read, so B sits in the
     * connection's buffer and no longer in the socket. A {@code waitFor} that looked while that receive held
     * the connection (and so saw it not ready) slept in its selector on the now empty socket for ever.
     */
    @Test
    void a_message_read_ahead_by_another_threads_receive_makes_waitFor_return() throws Exception {
        try (Listener listener = new Listener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY);
             SocketChannel peer = SocketChannel.open(listener.address());
             ExecutorService threads = Executors.newCachedThreadPool()) {
            // NOTE: threads of their own: a common pool of one thread would run the waiter only after the receiver
            Future<?> handshake = threads.submit(() -> {
                Handshake.connect(peer, KEY);
                return null;
            });
            try (Connection conn = listener.accept()) {
                handshake.get(60, TimeUnit.SECONDS);
                int body = 16 << 20; // NOTE: the receive's buffer is then full, so it grows (a copy) after its last read
                for (int round = 0; round < 2; round++) {
                    Future<byte[]> receiver = threads.submit(() -> conn.recvBytes());
                    ByteBuffer a = ByteBuffer.allocate(4 + body).putInt(0, body + 1).put(4 + body - 1, (byte) 7);
                    while (a.hasRemaining()) {
                        peer.write(a); // all of A but its last byte
                    }
                    Thread.sleep(300); // the receiver read that much and waits for the last byte, holding the connection
                    // no limit: it slept for ever (closing conn at the end wakes it)
                    Future<List<Object>> waiter = threads.submit(() -> Connections.waitFor(List.of(conn)));
                    Thread.sleep(200); // the waiter looked (not ready: the receive holds it) and sleeps
                    // the last byte of A and all of B in one write: the receiver reads both at once
                    peer.write(ByteBuffer.allocate(1 + 4 + 1).put((byte) 8).putInt(1).put((byte) 9).flip());
                    byte[] got = receiver.get(60, TimeUnit.SECONDS);
                    assertEquals(body + 1, got.length);
                    assertEquals(7, got[body - 1]);
                    assertEquals(8, got[body]);
                    assertEquals(List.of(conn), waiter.get(60, TimeUnit.SECONDS), "round " + round + ": B is buffered");
                    assertArrayEquals(new byte[] {9}, conn.recvBytes());
                }
            }
        }
    }
}
