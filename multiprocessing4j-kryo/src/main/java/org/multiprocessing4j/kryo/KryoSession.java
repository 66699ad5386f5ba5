package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * One {@link Mp4jKryo} with its buffers: what {@link Sessions} hands out. Used by one thread at a time;
 * after a failure it is dropped, not reused.
 */
final class KryoSession {

    static final int INITIAL_BUFFER_BYTES = 4096;
    /** A buffer that grew past this for one large message is not kept for the next. */
    static final int MAX_RETAINED_BUFFER_BYTES = 1 << 20;
    private static final byte[] EMPTY = new byte[0];

    private final Mp4jKryo kryo = new Mp4jKryo();
    private final Input input = new Input();
    private Output output = new Output(INITIAL_BUFFER_BYTES, -1);

    /** True for a platform thread's own session, false for one from the shared pool. */
    final boolean threadOwned;
    /** Set while a call runs; only the thread that holds the session reads or writes it. */
    boolean inUse;

    KryoSession(boolean threadOwned) {
        this.threadOwned = threadOwned;
    }

    /** Encodes {@code object} (or {@code null}) into a new array. */
    byte[] write(Object object) {
        if (output.getBuffer().length > MAX_RETAINED_BUFFER_BYTES) {
            output = new Output(INITIAL_BUFFER_BYTES, -1);
        }
        output.reset();
        kryo.takeShared();
        kryo.writeClassAndObject(output, object);
        Object shared = kryo.takeShared();
        if (shared != null) {
            // NOTE: an object both Kryo and the JDK path wrote would arrive as two: send the graph whole by JDK
            // serialization, which keeps it one (the JDK path's parts need Serializable contents anyway)
            output.reset();
            try {
                kryo.writeClassAndObject(output, new WholeGraph(object));
            } catch (KryoException e) {
                throw new KryoException("an object of " + shared.getClass().getName() + " is reached both through a part of"
                        + " the graph that only JDK serialization writes and through another part; it would arrive as two"
                        + " objects, and the graph is not Serializable as a whole, so it cannot be sent as one: " + e.getMessage(), e);
            }
        }
        return output.toBytes();
    }

    /** Decodes exactly {@code data[offset, offset + length)}, resolving classes through {@code loader}. */
    Object read(byte[] data, int offset, int length, ClassLoader loader) {
        kryo.useLoader(loader);
        input.setBuffer(data, offset, length);
        try {
            Object object = kryo.readClassAndObject(input);
            if (object instanceof WholeGraph whole) {
                object = whole.root;
            }
            if (input.position() != offset + length) {
                throw new KryoException("message has " + (offset + length - input.position())
                        + " bytes after the object; it is corrupt or not from KryoSerializer");
            }
            return object;
        } finally {
            input.setBuffer(EMPTY); // do not pin the caller's array in the pool
        }
    }
}
