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
    /** A buffer that grew past this for one large message is dropped once that message is written. */
    static final int MAX_RETAINED_BUFFER_BYTES = 1 << 20;
    private static final byte[] EMPTY = new byte[0];

    private final Mp4jKryo kryo = new Mp4jKryo();
    private final Input input = new Input();
    private Output output = new GrowingOutput();

    /** True for a platform thread's own session, false for one from the shared pool. */
    final boolean threadOwned;
    /** Set while a call runs; only the thread that holds the session reads or writes it. */
    boolean inUse;

    KryoSession(boolean threadOwned) {
        this.threadOwned = threadOwned;
    }

    /** The size of the output buffer this session keeps for its next message. */
    int retainedBufferBytes() {
        return output.getBuffer().length;
    }

    /** Encodes {@code object} (or {@code null}) into a new array. */
    byte[] write(Object object) {
        try {
            return writeToBuffer(object);
        } finally {
            if (output.getBuffer().length > MAX_RETAINED_BUFFER_BYTES) {
                output = new GrowingOutput(); // NOTE: an idle thread would keep a large message's buffer
            }
        }
    }

    private byte[] writeToBuffer(Object object) {
        output.reset();
        kryo.takeShared();
        kryo.takeCyclic();
        kryo.writeClassAndObject(output, object);
        Object shared = kryo.takeShared();
        Object cyclic = kryo.takeCyclic();
        if (shared != null || cyclic != null) {
            // NOTE: an object both Kryo and the JDK path wrote would arrive as two, and one reachable from the
            // values Kryo creates it from would arrive as null there: send the graph whole by JDK serialization,
            // which keeps it (the JDK path's parts need Serializable contents anyway)
            output.reset();
            try {
                kryo.writeClassAndObject(output, new WholeGraph(object));
            } catch (KryoException e) {
                String why = shared != null
                        ? "an object of " + shared.getClass().getName() + " is reached both through a part of the graph"
                                + " that only JDK serialization writes and through another part; it would arrive as two objects"
                        : "an object of " + cyclic.getClass().getName() + " is reachable from the values it is made from,"
                                + " where it would arrive as null";
                throw new KryoException(why + ", and the graph is not Serializable as a whole, so it cannot be sent"
                        + " as one: " + e.getMessage(), e);
            }
        }
        return output.toBytes();
    }

    /**
     * An unbounded Kryo output that grows past a gibibyte: Kryo doubles the capacity, which overflows to a
     * negative size once it exceeds 2^30 bytes ({@code NegativeArraySizeException}); past half the maximum
     * array size this grows by half instead, up to that maximum.
     */
    private static final class GrowingOutput extends Output {
        GrowingOutput() {
            super(INITIAL_BUFFER_BYTES, -1);
        }

        @Override
        protected boolean require(int required) {
            if (capacity - position >= required || capacity <= maxCapacity / 2 || required > maxCapacity - position) {
                return super.require(required); // NOTE: no overflow there, or Kryo's own buffer-overflow exception
            }
            int grown = (int) Math.min(maxCapacity, capacity + (long) (capacity >> 1));
            int newCapacity = Math.max(position + required, grown);
            byte[] newBuffer = new byte[newCapacity];
            System.arraycopy(buffer, 0, newBuffer, 0, position);
            buffer = newBuffer;
            capacity = newCapacity;
            return true;
        }
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
