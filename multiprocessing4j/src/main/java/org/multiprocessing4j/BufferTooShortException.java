package org.multiprocessing4j;

import java.io.IOException;

/**
 * {@link Connection#recvBytesInto} was given a buffer too short for the message (Python's
 * {@code BufferTooShort}). The message has been consumed; {@link #message()} holds all of it.
 */
public class BufferTooShortException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient byte[] message;

    /**
     * A message that did not fit.
     *
     * @param message the whole message, which {@link #message()} returns
     * @param room the bytes that were left in the buffer
     */
    public BufferTooShortException(byte[] message, int room) {
        super("message of " + message.length + " bytes does not fit in the " + room + " bytes left in the buffer");
        this.message = message;
    }

    /**
     * The whole message that did not fit.
     *
     * @return the message (not a copy)
     */
    public byte[] message() {
        return message;
    }
}
