package org.multiprocessing4j;

/**
 * The unchecked root of this library's own failures (Python's {@code multiprocessing.ProcessError}).
 *
 * <p>Messages name the resource involved (pid, path, timeout). Where the JDK already has a fitting type
 * ({@link IllegalStateException}, {@link IllegalArgumentException}, {@link java.io.EOFException},
 * {@link java.util.concurrent.TimeoutException}) that type is used instead.
 */
public class ProcessError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure of the library.
     *
     * @param message what went wrong, naming the resource
     */
    public ProcessError(String message) {
        super(message);
    }

    /**
     * A failure of the library, with its cause.
     *
     * @param message what went wrong, naming the resource
     * @param cause the underlying failure
     */
    public ProcessError(String message, Throwable cause) {
        super(message, cause);
    }
}
