package org.multiprocessing4j.internal.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.multiprocessing4j.AuthenticationException;

/**
 * Mutual HMAC-SHA256 challenge-response on a shared authkey, run on every socket before anything else.
 *
 * <p>Implementation notes. The exchange has fixed sizes, so a peer can make us read at most
 * {@value #MAX_BYTES_READ} bytes before it has proved the key, and nothing is deserialized before both
 * sides have:
 * <pre>
 *   acceptor  -> connector : "MP4H" | version(1) | nonceA(32)
 *   connector -> acceptor  : HMAC(key, "connector" | nonceA)(32) | nonceC(32)
 *   acceptor  -> connector : OK(1)=1 | HMAC(key, "acceptor" | nonceC)(32)      (or FAIL(1)=0, then close)
 * </pre>
 * The role labels stop a peer from reflecting our own challenge back at us. MACs are compared in
 * constant time ({@link MessageDigest#isEqual}). The MAC is {@link HmacSha256} and the nonces come from
 * {@link Nonces}: neither pays the JCA's start-up cost in a fresh child JVM. Timeouts are the caller's: close the channel from
 * another thread to abandon a stalled peer.
 */
public final class Handshake {
    /** The most bytes either side reads from an unauthenticated peer (the connector: 37 + 1 + 32; the acceptor: 64). */
    public static final int MAX_BYTES_READ = 70;

    private static final int MAGIC = 0x4D503448; // "MP4H"
    private static final byte VERSION = 1;
    private static final int NONCE = 32;
    private static final int MAC = 32;

    private Handshake() {
    }

    /** Runs the acceptor's side. Throws {@link AuthenticationException} if the peer's MAC is wrong. */
    public static void accept(ByteChannel channel, byte[] authkey) throws IOException {
        byte[] nonceA = nonce();
        ByteBuffer hello = ByteBuffer.allocate(4 + 1 + NONCE).putInt(MAGIC).put(VERSION).put(nonceA).flip();
        writeFully(channel, hello);
        ByteBuffer reply = readFully(channel, MAC + NONCE);
        byte[] theirMac = new byte[MAC];
        byte[] nonceC = new byte[NONCE];
        reply.get(theirMac).get(nonceC);
        if (!MessageDigest.isEqual(theirMac, hmac(authkey, "connector", nonceA))) {
            writeFully(channel, ByteBuffer.wrap(new byte[] {0}));
            throw new AuthenticationException("peer failed the authkey challenge (digest mismatch)");
        }
        ByteBuffer ok = ByteBuffer.allocate(1 + MAC).put((byte) 1).put(hmac(authkey, "acceptor", nonceC)).flip();
        writeFully(channel, ok);
    }

    /** Runs the connector's side. Throws {@link AuthenticationException} if either side's MAC is wrong. */
    public static void connect(ByteChannel channel, byte[] authkey) throws IOException {
        ByteBuffer hello = readFully(channel, 4 + 1 + NONCE);
        int magic = hello.getInt();
        byte version = hello.get();
        if (magic != MAGIC || version != VERSION) {
            throw new AuthenticationException(String.format(
                    "peer is not a multiprocessing4j endpoint (magic 0x%08x, version %d)", magic, version));
        }
        byte[] nonceA = new byte[NONCE];
        hello.get(nonceA);
        byte[] nonceC = nonce();
        ByteBuffer answer = ByteBuffer.allocate(MAC + NONCE).put(hmac(authkey, "connector", nonceA)).put(nonceC).flip();
        writeFully(channel, answer);
        ByteBuffer status = readFully(channel, 1);
        if (status.get() != 1) {
            throw new AuthenticationException("peer rejected our authkey (digest mismatch)");
        }
        byte[] theirMac = new byte[MAC];
        readFully(channel, MAC).get(theirMac);
        if (!MessageDigest.isEqual(theirMac, hmac(authkey, "acceptor", nonceC))) {
            throw new AuthenticationException("peer failed the authkey challenge (digest mismatch)");
        }
    }

    private static byte[] nonce() {
        return Nonces.next(NONCE);
    }

    private static byte[] hmac(byte[] key, String role, byte[] nonce) {
        return HmacSha256.mac(key, role.getBytes(StandardCharsets.US_ASCII), nonce);
    }

    static ByteBuffer readFully(ByteChannel channel, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new EOFException("peer closed the connection during the authkey handshake");
            }
        }
        return buf.flip();
    }

    static void writeFully(ByteChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}
