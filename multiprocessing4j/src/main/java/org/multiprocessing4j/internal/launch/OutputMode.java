package org.multiprocessing4j.internal.launch;

/** How a child's stdout and stderr reach the parent (when the context inherits them at all). */
public enum OutputMode {
    /** Copied byte for byte to this JVM's {@code System.out}/{@code System.err} (the default). */
    RAW,
    /** Copied to {@code System.out}/{@code System.err}, each line prefixed with {@code [name pid] }. */
    TAGGED,
    /**
     * Each line logged to {@code org.multiprocessing4j.output} with the same prefix: stdout at
     * {@code INFO}, stderr at {@code WARNING}.
     */
    LOGGED
}
