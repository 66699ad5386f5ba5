package org.multiprocessing4j.hazelcast.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the byte frames that travel through Hazelcast queues: every frame is
 * {@code seq(8) | body | HMAC-SHA256(32)}, the MAC taken over the queue's name, the sequence number and
 * the body, under the authkey. Binding the queue's name means a frame cannot be moved to another queue;
 * the sequence number (1, 2, 3, ... per queue, one writer per queue; the reader accepts only numbers
 * above the last one it accepted) means it cannot be replayed in its own queue. A frame that fails either
 * check is refused ({@link #open} returns null) before any of its bytes is interpreted. Thread-safe.
 */
public final class Frames {
    /** Bytes of the sequence number that starts a frame. */
    static final int SEQ = 8;
    /** Bytes of the MAC that ends a frame. */
    static final int MAC = 32;
    /** A sequence number of a queue with many writers (control queues): not checked for order. */
    public static final long ANY_SEQ = -1;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /**
     * Frames signed with {@code authkey}.
     *
     * @throws IllegalArgumentException if the key is shorter than 16 bytes
     */
    public Frames(byte[] authkey) {
        if (authkey.length < 16) {
            throw new IllegalArgumentException("the cluster authkey has " + authkey.length + " bytes; at least 16 are required");
        }
        this.key = new SecretKeySpec(authkey.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        });
    }

    /** The frame carrying {@code body} as number {@code seq} of queue {@code queue}. */
    public byte[] seal(String queue, long seq, byte[] body) {
        byte[] frame = new byte[SEQ + body.length + MAC];
        putLong(frame, 0, seq);
        System.arraycopy(body, 0, frame, SEQ, body.length);
        byte[] mac = mac(queue, frame, SEQ + body.length);
        System.arraycopy(mac, 0, frame, SEQ + body.length, MAC);
        return frame;
    }

    /**
     * The body of {@code frame} if its MAC is right for queue {@code queue} and its number is at least
     * {@code seq} (any number for {@link #ANY_SEQ}); null otherwise. {@link #seq} then tells its number.
     */
    public byte[] open(String queue, long seq, byte[] frame) {
        if (frame == null || frame.length < SEQ + MAC) {
            return null;
        }
        int signed = frame.length - MAC;
        byte[] expected = mac(queue, frame, signed);
        byte[] actual = java.util.Arrays.copyOfRange(frame, signed, frame.length);
        if (!MessageDigest.isEqual(expected, actual)) {
            return null;
        }
        if (seq != ANY_SEQ && getLong(frame, 0) < seq) {
            return null;
        }
        return java.util.Arrays.copyOfRange(frame, SEQ, signed);
    }

    /** The number of a frame (meaningful once {@link #open} accepted it). */
    public static long seq(byte[] frame) {
        return getLong(frame, 0);
    }

    /** Why {@code frame} was refused, for a log line (after {@link #open} returned null). */
    public String whyRefused(String queue, long seq, byte[] frame) {
        if (frame == null || frame.length < SEQ + MAC) {
            return "shorter than a signed frame";
        }
        if (open(queue, ANY_SEQ, frame) == null) {
            return "bad signature";
        }
        return "number " + getLong(frame, 0) + " is not above the last one accepted (" + (seq - 1) + "): a replay, or a copy of a retried put";
    }

    private byte[] mac(String queue, byte[] frame, int length) {
        Mac mac = macs.get();
        byte[] name = queue.getBytes(StandardCharsets.UTF_8);
        byte[] nameLength = new byte[4];
        putInt(nameLength, 0, name.length);
        mac.update(nameLength);
        mac.update(name);
        mac.update(frame, 0, length);
        return mac.doFinal();
    }

    /** Big-endian longs in a byte array (the JDK's view: bounds-checked, intrinsic). */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    static void putInt(byte[] b, int at, int v) {
        for (int i = 3; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
