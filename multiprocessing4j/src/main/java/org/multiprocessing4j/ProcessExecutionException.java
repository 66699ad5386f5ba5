package org.multiprocessing4j;

/**
 * Carries a checked exception thrown by a task in another process, for calls whose signature cannot
 * declare it ({@code Pool.apply}, {@code Pool.map}). {@link #getCause()} is the original exception, with
 * the child's stack trace.
 */
public class ProcessExecutionException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * A checked exception thrown by a task.
     *
     * @param message which task failed
     * @param cause the checked exception the task threw
     */
    public ProcessExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
