package org.multiprocessing4j.internal.pool;

import org.multiprocessing4j.ProcessError;

/**
 * Marks an exception that came back from a worker with the worker that raised it: Python's
 * {@code RemoteTraceback} cause line. The mark becomes the cause of the deepest exception in the chain
 * (so a printed stack trace ends with "Caused by: ... raised in worker X (pid N)"); where that exception's
 * cause cannot be set (it was fixed at construction) the mark is added as a suppressed exception instead.
 */
final class WorkerOrigin extends ProcessError {
    private static final long serialVersionUID = 1L;

    private WorkerOrigin(String message) {
        super(message);
        setStackTrace(new StackTraceElement[0]);
    }

    static Throwable mark(Throwable t, String worker, long pid) {
        WorkerOrigin origin = new WorkerOrigin("raised in pool worker " + worker + " (pid " + pid + ")");
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 64; depth++) {
            root = root.getCause();
        }
        try {
            root.initCause(origin);
        } catch (IllegalStateException | IllegalArgumentException fixedAtConstruction) {
            t.addSuppressed(origin);
        }
        return t;
    }
}
