package org.multiprocessing4j;

import java.time.Duration;

/**
 * A pool task ran longer than the pool's {@code taskTimeout}: its worker was killed (a thread cannot be
 * stopped; a process can) and replaced, and only this task failed.
 */
public class TaskTimeoutException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /** The timeout the task exceeded. */
    private final Duration timeout;

    /**
     * A task that ran past its timeout, whose worker was killed.
     *
     * @param worker the name of the worker that ran the task
     * @param pid the worker's pid
     * @param timeout the timeout the task exceeded
     */
    public TaskTimeoutException(String worker, long pid, Duration timeout) {
        super("task exceeded the task timeout of " + timeout + "; its worker " + worker + " (pid " + pid + ") was killed");
        this.timeout = timeout;
    }

    /** {@return the timeout the task exceeded} */
    public Duration timeout() {
        return timeout;
    }
}
