package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.conn.SocketConnection;
import org.multiprocessing4j.internal.wire.Handshake;

/** Listener and socket connection edge cases found by a probing helper. */
class ListenerEdgeTest extends ChildProcessTestBase {
    private static final byte[] KEY = "listener-edge-key".getBytes();

    /**
     * The interrupt was looked at only when the backlog was empty: with a peer waiting, {@code accept()} took it,
     * its handshake failed on the pending interrupt, and the peer's connection was closed (it saw EOF) although
     * nothing was wrong with it. Interrupts are checked before blocking (STYLE.md), and the listener "stays
     * usable": the next accept() must serve that peer.
     */
    @Test
    void an_interrupt_pending_at_accept_leaves_a_waiting_peer_for_the_next_accept() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             Listener listener = new Listener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY);
             SocketChannel raw = SocketChannel.open(listener.address())) { // NOTE: connected: it waits in the backlog
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, listener::accept);
            Future<?> peer = threads.submit(() -> {
                Handshake.connect(raw, KEY);
                return null;
            });
            Future<Connection> accepted = threads.submit(listener::accept);
            peer.get(HANG.toSeconds(), TimeUnit.SECONDS); // NOTE: failed with EOFException: its connection was closed
            try (Connection served = accepted.get(HANG.toSeconds(), TimeUnit.SECONDS);
                 Connection client = new SocketConnection(raw, Multiprocessing.defaultContext().codec())) {
                served.send("served");
                assertEquals("served", client.recv());
            }
        }
    }

    /**
     * A peer that ends with messages of ours unread resets the connection (ECONNRESET: on a Unix-domain socket
     * whenever its receive queue is not empty, on TCP when the kernel closes it for a dead process). That is the
     * other end closing (API.md: EOFException), and such a connection is ready for waitFor; instead poll() and
     * waitFor threw "Connection reset", and so did every recv.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"unix", "tcp"})
    void a_peer_that_dies_with_our_messages_unread_reads_as_EOF_and_is_ready(String transport) throws Exception {
        SocketAddress where = transport.equals("tcp") ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
                : UnixDomainSocketAddress.of(ProcessTree.treeDirectory().resolve("edge-" + System.nanoTime() + ".sock"));
        try (Listener listener = new Listener(where, KEY)) {
            SocketAddress address = listener.address();
            Process p = new Process(checked(() -> {
                Connection c = Client.connect(address, KEY);
                c.send("connected");
                c.recv(); // NOTE: reads one message, never the second
                Thread.sleep(HANG.toMillis());
            }));
            p.start();
            try (Connection conn = listener.accept()) {
                assertEquals("connected", conn.recv());
                conn.send("read by the child");
                conn.send("never read");
                p.kill();
                joined(p);
                List<Object> ready = Connections.waitFor(List.of(conn), HANG);
                assertEquals(List.of(conn), ready);
                assertTrue(conn.poll(), "a receive would not block: it throws EOFException");
                assertThrows(EOFException.class, conn::recv);
                assertThrows(EOFException.class, conn::recv);
            } finally {
                if (p.isAlive()) {
                    p.kill();
                    joined(p);
                }
            }
        }
    }

    /**
     * A listener on a Unix-domain path of the user's choosing (outside the process tree's directory, which the
     * library clears) that the program never closes: CPython removes its socket file at exit; ours stayed.
     */
    @Test
    void the_socket_file_of_a_listener_never_closed_is_removed_when_its_jvm_exits(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String file = dir.resolve("never-closed.sock").toString();
        Process p = new Process(checked(() -> {
            Listener listener = new Listener(UnixDomainSocketAddress.of(file), KEY);
            if (!java.nio.file.Files.exists(java.nio.file.Path.of(file))) {
                throw new AssertionError("no socket file while listening: " + listener);
            }
        }));
        p.start();
        p.join(HANG);
        assertEquals(0, p.exitCode());
        assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of(file)), "socket file left after its JVM exited: " + file);
    }

    /**
     * {@code poll(null)} waits without a limit, as Python's {@code poll(None)} and as {@code Connections.waitFor}'s
     * null timeout; it threw NullPointerException. Over a pipe and over a socket, the message comes from a child
     * that sends it after a pause.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"pipe", "tcp"})
    void poll_of_null_waits_without_a_limit_until_a_message_arrives(String transport) throws Exception {
        if (transport.equals("pipe")) {
            Pipe pipe = Pipe.open();
            try (Connection mine = pipe.left(); Connection theirs = pipe.right()) {
                Process p = new Process(checked(() -> {
                    Thread.sleep(200);
                    theirs.send("late");
                }));
                p.start();
                assertTrue(mine.poll(null));
                assertEquals("late", mine.recv());
                p.join(HANG);
            }
            return;
        }
        try (Listener listener = new Listener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY)) {
            SocketAddress address = listener.address();
            Process p = new Process(checked(() -> {
                try (Connection c = Client.connect(address, KEY)) {
                    Thread.sleep(200);
                    c.send("late");
                    c.recv(); // NOTE: until the parent closes its end
                } catch (EOFException expected) {
                    // the parent closed
                }
            }));
            p.start();
            try (Connection conn = listener.accept()) {
                assertTrue(conn.poll(null));
                assertEquals("late", conn.recv());
            }
            p.join(HANG);
            assertEquals(0, p.exitCode());
        }
    }
}
