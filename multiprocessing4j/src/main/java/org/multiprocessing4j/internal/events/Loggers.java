package org.multiprocessing4j.internal.events;

import java.lang.System.Logger;

/**
 * The library's {@link Logger}s, one per area, obtained from {@link System#getLogger} (so they go to
 * {@code java.util.logging} unless the application installs another {@link System.LoggerFinder}). Levels:
 * {@code DEBUG} for routine events (a process started or ended, a pool or manager started or stopped, a
 * worker retired), {@code INFO} for a pool worker that died and was replaced or a task that timed out,
 * {@code WARNING} for a pool that became broken.
 */
public final class Loggers {
    /** Child processes: start (name, pid, start method) and exit (name, pid, exit code). */
    public static final Logger PROCESS = System.getLogger("org.multiprocessing4j.process");
    /** Pools and executors: start, stop, worker deaths, replacements and retirements, task timeouts, broken pools. */
    public static final Logger POOL = System.getLogger("org.multiprocessing4j.pool");
    /** Managers: start (address, pid) and stop. */
    public static final Logger MANAGER = System.getLogger("org.multiprocessing4j.manager");
    /** Children's stdout and stderr when a context routes them here (see {@code Context.Builder.logOutput}). */
    public static final Logger OUTPUT = System.getLogger("org.multiprocessing4j.output");

    private Loggers() {
    }
}
