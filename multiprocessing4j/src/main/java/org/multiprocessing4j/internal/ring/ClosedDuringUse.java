package org.multiprocessing4j.internal.ring;

import java.io.Serial;
import java.nio.channels.AsynchronousCloseException;

/**
 * The {@link AsynchronousCloseException} of a ring end closed by another thread of this process while a
 * send or receive used it: the JDK's class carries no message, and "null" told a user nothing.
 */
final class ClosedDuringUse extends AsynchronousCloseException {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
        return "this pipe end was closed by another thread of this process while this one was using it";
    }
}
