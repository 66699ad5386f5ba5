package org.multiprocessing4j.internal.remote;

import java.io.Serializable;

/**
 * A remote event behind an {@code Event}; a serializable handle (see {@link RemoteObjects}). Thread-safe.
 */
public interface EventBackend extends Serializable {
    /** {@return whether the flag is set now} */
    boolean isSet();

    /** Sets the flag (no effect if set). */
    void set();

    /** Clears the flag (no effect if clear). */
    void clear();

    /**
     * Waits until the flag is set, or was set during the wait.
     *
     * @param nanos how long to wait at most: negative waits as long as it takes, 0 looks once
     * @return true if set (or set during the wait), false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(long nanos) throws InterruptedException;
}
