package org.multiprocessing4j;

/**
 * Carries a checked exception thrown by a task in another process, for calls whose signature cannot
 * declare it ({@code Pool.apply}, {@code Pool.map}). {@link #getCause()} is the original exception, with
 * the child's stack trace.
 */
public class ProcessExecutionException extends ProcessError {
    private static final long serialVersionUID = 1L;

    public ProcessExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
