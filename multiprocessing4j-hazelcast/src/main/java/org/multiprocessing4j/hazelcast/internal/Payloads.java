package org.multiprocessing4j.hazelcast.internal;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.multiprocessing4j.Serializer;

/**
 * Items of the cluster's queues and dicts: encoded with a {@link Serializer} and signed ({@link Frames})
 * under a context string naming the structure (and, for a dict value, its key), so an item cannot be
 * forged or moved to another structure or key. Checked before it is decoded: a bad one raises
 * {@link SecurityException}. Thread-safe.
 */
public final class Payloads {
    private final Frames frames;
    private final Serializer serializer;

    public Payloads(Frames frames, Class<? extends Serializer> serializer) {
        this.frames = frames;
        try {
            this.serializer = serializer.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("serializer " + serializer.getName() + " has no public no-argument constructor", e);
        }
    }

    /** The plain encoding of {@code value} (a dict's key: the same value always gives the same bytes for the usual key types). */
    public byte[] encode(Object value, String what) {
        try {
            return serializer.toBytes(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + what + " (" + value.getClass().getName() + "): " + e.getMessage(), e);
        }
    }

    /** Decodes a plain encoding. */
    public Object decode(byte[] bytes, String what) {
        try {
            return serializer.fromBytes(bytes, 0, bytes.length, loader());
        } catch (IOException e) {
            throw new IllegalStateException("cannot decode " + what + ": " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot decode " + what + ": class " + e.getMessage() + " is not on this JVM's class path", e);
        }
    }

    /** {@code value} encoded and signed for {@code context}; {@code unique} adds a random number (queue items). */
    public byte[] seal(String context, Object value, boolean unique, String what) {
        return frames.seal(context, unique ? ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE : 0, encode(value, what));
    }

    /**
     * The value of a signed item, checked first.
     *
     * @throws SecurityException if its signature is wrong for {@code context}
     */
    public Object open(String context, byte[] frame, String what) {
        byte[] body = frames.open(context, Frames.ANY_SEQ, frame);
        if (body == null) {
            throw new SecurityException(what + " has a bad signature (written without the authkey, or moved from elsewhere); not decoded");
        }
        return decode(body, what);
    }

    private static ClassLoader loader() {
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        return ccl != null ? ccl : Payloads.class.getClassLoader();
    }
}
