package org.multiprocessing4j;

/**
 * Thrown when a {@code get} with a timeout (or {@code getNowait}) finds no item before the timeout passed (or another process holds the consumer side): Python's {@code queue.Empty}. Unchecked; the message names the queue and the timeout.
 */
public class QueueEmptyException extends ProcessError {
    private static final long serialVersionUID = 1L;

    public QueueEmptyException(String message) {
        super(message);
    }
}
