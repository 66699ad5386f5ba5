package org.multiprocessing4j;

/**
 * A pool or executor cannot run a task: Python's {@code concurrent.futures.process.BrokenProcessPool}.
 *
 * <p>Thrown for a whole pool that is broken (its initializer failed in a worker, or a worker JVM could not
 * be started: every pending and later task fails with it, {@link #getCause()} saying why), and, through
 * its subclass {@link WorkerDiedException}, for the tasks that one dead worker held while the pool itself
 * heals. "The pool is broken" and "this task failed" are told apart by the type:
 * {@code e instanceof WorkerDiedException} is the second.
 */
public class BrokenProcessPoolException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * A broken pool.
     *
     * @param message why the pool is broken
     */
    public BrokenProcessPoolException(String message) {
        super(message);
    }

    /**
     * A broken pool, with the failure that broke it.
     *
     * @param message why the pool is broken
     * @param cause the failure that broke it
     */
    public BrokenProcessPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
