package org.multiprocessing4j;

/**
 * Thrown when a timed {@code get} (or {@code getNowait}) finds no item before its timeout (for
 * {@code getNowait}, also when another thread holds the consumer side). Python's {@code queue.Empty}.
 * Unchecked; the message names the queue and the timeout.
 */
public class QueueEmptyException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * An empty queue.
     *
     * @param message which queue, and which call found it empty
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
