package org.multiprocessing4j;

/**
 * Thrown when a timed {@code put} (or {@code putNowait}) finds no room before its timeout: the queue
 * holds {@code maxsize} items, or its shared memory is full. Python's {@code queue.Full}. Unchecked; the
 * message names the queue and the timeout.
 */
public class QueueFullException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * A full queue.
     *
     * @param message which queue, and which call found it full
     */
    public QueueFullException(String message) {
        super(message);
    }
}
