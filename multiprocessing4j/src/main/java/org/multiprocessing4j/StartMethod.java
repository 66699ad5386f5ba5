package org.multiprocessing4j;

/**
 * How a {@link Context} makes child JVMs.
 */
public enum StartMethod {
    /**
     * A fresh JVM per process (Python's {@code spawn}): {@link Process#start()} launches {@code java},
     * waits until the child has connected back and proved the authkey, then hands it the target.
     */
    SPAWN,
    /**
     * Standby JVMs booted ahead of time (the role of Python's {@code forkserver}): {@link Process#start()}
     * takes a booted, authenticated JVM and only hands over the target; a replacement boots in the
     * background. If no standby is ready, {@code start()} boots one as {@link #SPAWN} would.
     *
     * <p>Standbys preload the latest process started from their context: they decode it (never run it), so
     * that its classes are loaded and its lambdas linked before the next one like it (the role of Python's
     * {@code set_forkserver_preload}). A process class whose deserialization has side effects sees them
     * happen in standbys too.
     */
    PRESTARTED
}
