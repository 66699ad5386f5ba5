package org.multiprocessing4j;

import java.util.Objects;

/**
 * Stands in for a throwable raised in another JVM whose class this JVM cannot load or decode. It keeps
 * the original class name, message and stack trace (so {@link #printStackTrace()} shows where it happened
 * in the child), and its cause chain is rebuilt the same way.
 */
public class RemoteException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /** The fully qualified class name of the original throwable. */
    private final String remoteClassName;
    /** The original throwable's message, or {@code null}. */
    private final String remoteMessage;

    /**
     * A throwable that was raised in another process.
     *
     * @param remoteClassName the fully qualified class name of the original throwable
     * @param remoteMessage the original throwable's message, or {@code null}
     * @throws NullPointerException if {@code remoteClassName} is null
     */
    public RemoteException(String remoteClassName, String remoteMessage) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.remoteClassName = Objects.requireNonNull(remoteClassName, "remoteClassName");
        this.remoteMessage = remoteMessage;
    }

    /** {@return the fully qualified class name of the original throwable} */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** {@return the original throwable's message, or {@code null}} */
    public String remoteMessage() {
        return remoteMessage;
    }

    @Override
    public String toString() {
        return remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage;
    }
}
