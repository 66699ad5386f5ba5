package org.multiprocessing4j;

import java.util.Objects;

/**
 * Stands in for a throwable raised in another JVM whose class this JVM cannot load or decode. It keeps
 * the original class name, message and stack trace (so {@link #printStackTrace()} shows where it happened
 * in the child), and its cause chain is rebuilt the same way.
 */
public class RemoteException extends ProcessError {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteException(String remoteClassName, String remoteMessage) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.remoteClassName = Objects.requireNonNull(remoteClassName, "remoteClassName");
        this.remoteMessage = remoteMessage;
    }

    /** The fully qualified class name of the original throwable. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The original throwable's message, or {@code null}. */
    public String remoteMessage() {
        return remoteMessage;
    }

    @Override
    public String toString() {
        return remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage;
    }
}
