package org.multiprocessing4j.internal.remote;

import java.io.Serializable;

/**
 * A remote counting semaphore behind a {@code Semaphore} or {@code BoundedSemaphore}; a serializable
 * handle (see {@link RemoteObjects}). Thread-safe.
 */
public interface SemaphoreBackend extends Serializable {
    /**
     * Takes a permit.
     *
     * @param nanos how long to wait at most: negative waits as long as it takes, 0 tries once
     * @param interruptible whether an interrupt ends the wait
     * @return true if taken
     * @throws InterruptedException if interruptible and interrupted while waiting (nothing taken)
     */
    boolean acquire(long nanos, boolean interruptible) throws InterruptedException;

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException if bounded and already at its initial value
     */
    void release();

    /** {@return the free permits now (a snapshot)} */
    int value();
}
