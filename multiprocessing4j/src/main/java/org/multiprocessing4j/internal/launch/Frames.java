package org.multiprocessing4j.internal.launch;

/** Frame types on the parent-child control link. */
final class Frames {
    /** Parent to child: run this process (payload: {@link RunOrder}). */
    static final byte RUN = 1;
    /**
     * Parent to a standby: decode this process object and drop it (payload: {@link RunOrder}), so that its
     * classes are loaded and its lambdas linked before a real run order of the same kind arrives.
     */
    static final byte WARM = 4;
    /**
     * Standby to parent: warmed up, with this many {@link #WARM} frames decoded (payload: count, 4 bytes);
     * a standby counts as ready only after this.
     */
    static final byte READY = 5;
    /** Child to parent: the child's JVM began an orderly shutdown (exit status is its own). */
    static final byte SHUTDOWN = 2;
    /** Child to parent: a terminating signal arrived (payload: signal number, 1 byte). */
    static final byte SIGNAL = 3;

    /** Largest control frame accepted: a serialized {@code Process} with its fields. */
    static final int MAX_FRAME_BYTES = 1 << 30;

    private Frames() {
    }
}
