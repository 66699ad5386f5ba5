package org.multiprocessing4j;

/**
 * Thrown when a {@code put} with a timeout (or {@code putNowait}) finds no room: the queue holds {@code maxsize} items, or its bytes are full, until the timeout passed: Python's {@code queue.Full}. Unchecked; the message names the queue and the timeout.
 */
public class QueueFullException extends ProcessError {
    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) {
        super(message);
    }
}
