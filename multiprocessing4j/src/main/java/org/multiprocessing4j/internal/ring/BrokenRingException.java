package org.multiprocessing4j.internal.ring;

import java.io.IOException;

/**
 * A write found the reader end of its ring closed, or its process dead: nothing more can be delivered
 * (Python's {@code BrokenPipeError}). The message names the ring file and the reader's pid.
 */
public final class BrokenRingException extends IOException {
    private static final long serialVersionUID = 1L;

    public BrokenRingException(String message) {
        super(message);
    }
}
