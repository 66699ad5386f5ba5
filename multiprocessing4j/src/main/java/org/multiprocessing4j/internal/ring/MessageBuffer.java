package org.multiprocessing4j.internal.ring;

/**
 * A receive buffer that one reader reuses from message to message ({@link SpscReader#readInto}): after
 * each read, {@link #array()}{@code [0, }{@link #length()}{@code )} is the message, valid until the next
 * read into this buffer. A receiver that decodes each message before reading the next one (a pool worker)
 * then pays no allocation, and no zeroing, per message: for MiB-sized messages that is as much work as
 * the copy out of the ring. An array larger than {@link #KEEP_BYTES} is not kept past the next read, so
 * one huge message does not pin its memory. Not thread-safe.
 */
public final class MessageBuffer {
    /** The largest array kept from one message to the next. */
    static final int KEEP_BYTES = 16 << 20;

    private byte[] array = new byte[256];
    private int length;

    /** The array holding the last message read (from index 0); may be longer than the message. */
    public byte[] array() {
        return array;
    }

    /** The length of the last message read. */
    public int length() {
        return length;
    }

    /**
     * Makes {@code message} (whole, not copied) the last message read: for a receiver that got a new array
     * from a channel without this kind of buffer. The buffer may reuse that array for later reads.
     */
    public void set(byte[] message) {
        filled(message, message.length);
    }

    /** An array of at least {@code n} bytes to read the next message into (its old content is garbage). */
    byte[] room(int n) {
        if (array.length < n) {
            array = new byte[(int) Math.max(n, Math.min(KEEP_BYTES, 2L * array.length))];
        } else if (array.length > KEEP_BYTES && n <= KEEP_BYTES) {
            array = new byte[n];
        }
        return array;
    }

    /** Records that {@code array} (which {@link #room} handed out) now holds a message of {@code n} bytes. */
    void filled(byte[] filled, int n) {
        this.array = filled;
        this.length = n;
    }
}
