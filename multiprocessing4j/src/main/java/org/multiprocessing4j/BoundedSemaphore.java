package org.multiprocessing4j;

import java.io.Serial;
import org.multiprocessing4j.internal.remote.SemaphoreBackend;

/**
 * A {@link Semaphore} whose value may never exceed its initial value: Python's
 * {@code multiprocessing.BoundedSemaphore}. A {@link #release()} that would raise it above throws
 * {@link IllegalStateException} (Python's {@code ValueError}) and changes nothing. Everything else,
 * owner death included, is as for {@link Semaphore}: a permit of a process killed while holding it comes
 * back; one taken by a process that then ended normally or closed its handle stays taken (as in CPython),
 * so another process may release it once. Thread-safe.
 */
public final class BoundedSemaphore extends Semaphore {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A bounded semaphore with one permit (Python's default). */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * A bounded semaphore with {@code value} permits, at most.
     *
     * @param value the initial and greatest number of permits
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public BoundedSemaphore(int value) {
        super(value, true);
    }

    /** A bounded semaphore that is {@code remote}, a cluster's (see {@link Semaphore}). */
    BoundedSemaphore(SemaphoreBackend remote) {
        super(remote);
    }

    /**
     * Returns a permit, waking one waiter if any.
     *
     * @throws IllegalStateException if the value is already at its initial value (released too many times)
     */
    @Override
    public void release() {
        super.release();
    }
}
