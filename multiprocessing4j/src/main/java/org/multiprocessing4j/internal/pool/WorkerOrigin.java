package org.multiprocessing4j.internal.pool;

import org.multiprocessing4j.ProcessError;

/**
 * Marks an exception that came back from a worker with the worker that raised it: Python's
 * {@code RemoteTraceback} cause line. The mark becomes the cause of the deepest exception in the chain
 * (so a printed stack trace ends with "Caused by: ... raised in worker X (pid N)"); where that exception's
 * cause cannot be set (it was fixed at construction, or the exception's own {@code getCause} or
 * {@code initCause} throws) the mark is added as a suppressed exception instead.
 */
final class WorkerOrigin extends ProcessError {
    private static final long serialVersionUID = 1L;

    private WorkerOrigin(String message) {
        super(message);
        setStackTrace(new StackTraceElement[0]);
    }

    static Throwable mark(Throwable t, String worker, long pid) {
        WorkerOrigin origin = new WorkerOrigin("raised in pool worker " + worker + " (pid " + pid + ")");
        try {
            Throwable root = t;
            for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 64; depth++) {
                root = root.getCause();
            }
            root.initCause(origin);
        } catch (RuntimeException | StackOverflowError | LinkageError notMarkable) {
            // NOTE: a cause fixed at construction (IllegalStateException), or the task's own getCause/initCause
            // that throws here: this runs on a relay, where an escape left the task unsettled for ever
            t.addSuppressed(origin);
        }
        return t;
    }
}
