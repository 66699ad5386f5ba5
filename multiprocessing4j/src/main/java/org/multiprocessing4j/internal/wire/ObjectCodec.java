package org.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.multiprocessing4j.Serializer;

/**
 * Encodes one object into a self-describing byte array: hand-written fast paths for {@code null}, boxed
 * primitives, {@code String} and primitive arrays; everything else through the {@link Serializer}.
 *
 * <p>Wire format: {@code tag(1) | body}. Fast-path bodies are little-endian fixed-size values, or
 * {@code length(4) | elements} for strings (UTF-8) and arrays. {@link #OBJECT} bodies are the
 * serializer's bytes. Thread-safe if the serializer is.
 */
public final class ObjectCodec {
    static final byte NULL = 0;
    static final byte INT = 1;
    static final byte LONG = 2;
    static final byte DOUBLE = 3;
    static final byte BOOLEAN = 4;
    static final byte STRING = 5;
    static final byte BYTES = 6;
    static final byte INTS = 7;
    static final byte LONGS = 8;
    static final byte DOUBLES = 9;
    static final byte OBJECT = 10;

    private final Serializer serializer;

    public ObjectCodec(Serializer serializer) {
        this.serializer = serializer;
    }

    public Serializer serializer() {
        return serializer;
    }

    /**
     * Encodes {@code value}. A value the serializer cannot write fails with an
     * {@link IllegalArgumentException} that names the offending class and says what was being sent.
     */
    public byte[] encode(Object value, String what) {
        return switch (value) {
            case null -> new byte[] {NULL};
            case Integer i -> buffer(5).put(INT).putInt(i).array();
            case Long l -> buffer(9).put(LONG).putLong(l).array();
            case Double d -> buffer(9).put(DOUBLE).putDouble(d).array();
            case Boolean b -> new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                yield buffer(5 + utf8.length).put(STRING).putInt(utf8.length).put(utf8).array();
            }
            case byte[] b -> buffer(5 + b.length).put(BYTES).putInt(b.length).put(b).array();
            case int[] a -> {
                ByteBuffer out = buffer(5 + 4 * a.length).put(INTS).putInt(a.length);
                out.asIntBuffer().put(a);
                yield out.array();
            }
            case long[] a -> {
                ByteBuffer out = buffer(5 + 8 * a.length).put(LONGS).putInt(a.length);
                out.asLongBuffer().put(a);
                yield out.array();
            }
            case double[] a -> {
                ByteBuffer out = buffer(5 + 8 * a.length).put(DOUBLES).putInt(a.length);
                out.asDoubleBuffer().put(a);
                yield out.array();
            }
            default -> encodeObject(value, what);
        };
    }

    private byte[] encodeObject(Object value, String what) {
        byte[] body;
        try {
            body = serializer.toBytes(value);
        } catch (IOException | RuntimeException e) {
            throw notSerializable(value, what, e);
        }
        byte[] out = new byte[1 + body.length];
        out[0] = OBJECT;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** Decodes what {@link #encode} wrote, resolving classes with {@code loader}. */
    public Object decode(byte[] data, int offset, int length, ClassLoader loader) throws IOException, ClassNotFoundException {
        if (length < 1) {
            throw new IOException("empty encoded object");
        }
        ByteBuffer in = ByteBuffer.wrap(data, offset + 1, length - 1).order(ByteOrder.LITTLE_ENDIAN);
        return switch (data[offset]) {
            case NULL -> null;
            case INT -> in.getInt();
            case LONG -> in.getLong();
            case DOUBLE -> in.getDouble();
            case BOOLEAN -> in.get() != 0;
            case STRING -> {
                int n = checkedLength(in, 1);
                yield new String(data, in.position(), n, StandardCharsets.UTF_8);
            }
            case BYTES -> {
                byte[] b = new byte[checkedLength(in, 1)];
                in.get(b);
                yield b;
            }
            case INTS -> {
                int[] a = new int[checkedLength(in, 4)];
                in.asIntBuffer().get(a);
                yield a;
            }
            case LONGS -> {
                long[] a = new long[checkedLength(in, 8)];
                in.asLongBuffer().get(a);
                yield a;
            }
            case DOUBLES -> {
                double[] a = new double[checkedLength(in, 8)];
                in.asDoubleBuffer().get(a);
                yield a;
            }
            case OBJECT -> serializer.fromBytes(data, offset + 1, length - 1, loader);
            default -> throw new IOException("unknown object tag " + data[offset]);
        };
    }

    public Object decode(byte[] data, ClassLoader loader) throws IOException, ClassNotFoundException {
        return decode(data, 0, data.length, loader);
    }

    private static int checkedLength(ByteBuffer in, int elementSize) throws IOException {
        int n = in.getInt();
        if (n < 0 || (long) n * elementSize > in.remaining()) {
            throw new IOException("encoded length " + n + " exceeds the " + in.remaining() + " bytes present");
        }
        return n;
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The exception for a value that cannot be encoded, naming the class that stopped it. */
    public static IllegalArgumentException notSerializable(Object value, String what, Exception cause) {
        String culprit = cause instanceof NotSerializableException nse && nse.getMessage() != null
                ? nse.getMessage()
                : value.getClass().getName();
        return new IllegalArgumentException("cannot serialize " + what + ": it contains an instance of " + culprit
                + ", which the serializer cannot write (" + cause + "). Make that class Serializable, do not"
                + " capture it, or choose a Serializer that handles it (Context.Builder.serializer)", cause);
    }
}
