package org.multiprocessing4j;

/**
 * The worker process running a task died before it answered: it crashed, called {@code System.exit},
 * ran out of heap, or was killed. Only the tasks that worker held fail with it; the pool replaces the
 * worker and keeps serving. {@link #pid()} and {@link #exitCode()} say which process and how it ended
 * (a negative exit code {@code -N} means signal {@code N}, as {@link Process#exitCode()}).
 */
public class WorkerDiedException extends BrokenProcessPoolException {
    private static final long serialVersionUID = 1L;

    /** The pid of the worker that died. */
    private final long pid;
    /** Its exit code: {@code -N} for death by signal {@code N}, else the status it exited with. */
    private final int exitCode;

    /**
     * A worker that died while running the task.
     *
     * @param worker the name of the worker
     * @param pid the worker's pid
     * @param exitCode its exit code: {@code -N} for death by signal {@code N}, else the status it exited with
     */
    public WorkerDiedException(String worker, long pid, int exitCode) {
        super(worker + " (pid " + pid + ") died with exit code " + exitCode + describe(exitCode)
                + " while running this task");
        this.pid = pid;
        this.exitCode = exitCode;
    }

    private static String describe(int exitCode) {
        return switch (exitCode) {
            case -9 -> " (SIGKILL)";
            case -15 -> " (SIGTERM)";
            case -11 -> " (SIGSEGV)";
            case -6 -> " (SIGABRT)";
            // NOTE: a worker whose heap ran out halts with 3 (as -XX:+ExitOnOutOfMemoryError); so does System.exit(3)
            case 3 -> " (out of memory, or System.exit(3))";
            default -> "";
        };
    }

    /** {@return the pid of the worker that died} */
    public long pid() {
        return pid;
    }

    /** {@return its exit code: {@code -N} for death by signal {@code N}, else the status it exited with} */
    public int exitCode() {
        return exitCode;
    }
}
