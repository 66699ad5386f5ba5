package org.multiprocessing4j;

/**
 * A call on a manager proxy could not be answered because its manager is gone: the manager process
 * died or was shut down, or its address no longer accepts connections. Thrown promptly (the call does
 * not wait for a timeout); the proxy stays unusable while the manager is gone.
 *
 * <p>A call that was in flight when the manager died may or may not have taken effect there.
 */
public class ManagerUnavailableException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the detail message
     */
    public ManagerUnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message the detail message
     * @param cause the underlying failure
     */
    public ManagerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
