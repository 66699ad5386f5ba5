package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.launch.Rendezvous;
import org.multiprocessing4j.internal.wire.Handshake;

/** The bootstrap secret never leaves stdin, and the rendezvous socket admits only holders of the authkey. */
class BootstrapSecurityTest extends ChildProcessTestBase {

    @Test
    void the_authkey_is_in_neither_the_childs_argv_nor_its_environment() throws Exception {
        Process p = new Process(ProcessLifecycleTest::sleepForever);
        p.start();
        try {
            long pid = p.pid().getAsLong();
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            byte[] environ = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
            byte[] key = Multiprocessing.currentProcess().authkey();
            String hex = HexFormat.of().formatHex(key);
            assertFalse(contains(cmdline, key) || new String(cmdline).contains(hex), "authkey in argv");
            assertFalse(contains(environ, key) || new String(environ).contains(hex), "authkey in environment");
        } finally {
            p.kill();
            p.join();
        }
    }

    @Test
    void the_runtime_directory_is_private_to_the_user() throws Exception {
        assertEquals(0, run(new Process(() -> { })));
        Path tree = ProcessTree.self().treeDirectory();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tree)));
        assertTrue(Files.exists(Rendezvous.get().path()));
        assertEquals(tree, Rendezvous.get().path().getParent());
    }

    @Test
    void a_peer_with_the_wrong_authkey_is_refused_and_the_rendezvous_keeps_working() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(Rendezvous.get().path()));
            assertThrows(AuthenticationException.class, () -> Handshake.connect(ch, new byte[32]));
        }
        assertEquals(0, run(new Process(() -> { })));
    }

    @Test
    void a_peer_that_sends_garbage_is_dropped_and_the_rendezvous_keeps_working() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(Rendezvous.get().path()));
            ByteBuffer garbage = ByteBuffer.allocate(1 << 20);
            garbage.putInt(0, Integer.MAX_VALUE); // a huge "length" where a MAC is expected
            try {
                while (garbage.hasRemaining()) {
                    ch.write(garbage);
                }
            } catch (java.io.IOException dropped) {
                // the rendezvous closed the connection: what we expect
            }
            ByteBuffer sink = ByteBuffer.allocate(4096);
            int n;
            long deadline = System.nanoTime() + HANG.toNanos();
            while ((n = ch.read(sink)) >= 0 && System.nanoTime() < deadline) {
                sink.clear();
            }
            assertEquals(-1, n, "the connection was closed");
        }
        assertEquals(0, run(new Process(() -> { })));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
