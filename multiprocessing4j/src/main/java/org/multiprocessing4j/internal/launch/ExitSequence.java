package org.multiprocessing4j.internal.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * The one shutdown hook of this library, running its steps in a fixed order when the JVM exits normally
 * (return from main, {@code System.exit}, SIGTERM/SIGINT): first children (daemons terminated,
 * non-daemons joined, as Python's {@code atexit} handler does), then queue feeders (items an unbounded
 * queue buffered while its shared memory was full reach it, as Python joins its feeder threads last), then
 * contexts (standby JVMs), then this process's holdings in shared primitives (its semaphore permits are
 * consumed, not left to owner-death recovery), then runtime files. A step that throws does not stop the
 * later ones.
 */
public final class ExitSequence {
    /** When a step runs; lower first. */
    public enum Phase {
        CHILDREN,
        QUEUE_FEEDERS,
        CONTEXTS,
        /** Records of this process in shared primitives; the mappings are still there (before RUNTIME_FILES). */
        HOLDINGS,
        RUNTIME_FILES
    }

    private static final List<List<Runnable>> STEPS = new ArrayList<>();
    private static boolean hookInstalled;
    private static volatile boolean started;
    private static volatile boolean waitsAbandoned;

    static {
        for (int i = 0; i < Phase.values().length; i++) {
            STEPS.add(new ArrayList<>());
        }
    }

    private ExitSequence() {
    }

    public static synchronized void add(Phase phase, Runnable step) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExitSequence::run, "mp4j-exit"));
            hookInstalled = true;
        }
        STEPS.get(phase.ordinal()).add(step);
    }

    /** How many steps {@code phase} holds now (for tests: closed objects leave none behind). */
    public static synchronized int stepCount(Phase phase) {
        return STEPS.get(phase.ordinal()).size();
    }

    /** Takes back {@code step}, added earlier (the very object): what it would close was closed already. */
    public static synchronized void remove(Phase phase, Runnable step) {
        STEPS.get(phase.ordinal()).remove(step);
    }

    /**
     * Tells the steps that wait for other processes (queue feeders waiting for consumers) to give up: a
     * terminating signal came (SIGTERM, SIGINT, SIGHUP; {@code Process.terminate()} sends one), which the
     * JVM cannot act on while its shutdown hooks run.
     */
    public static void abandonWaits() {
        waitsAbandoned = true;
    }

    /** True once {@link #abandonWaits()} was called. */
    public static boolean waitsAbandoned() {
        return waitsAbandoned;
    }

    /** True once the JVM's normal exit has begun running these steps. */
    public static boolean started() {
        return started;
    }

    private static void run() {
        started = true;
        List<Runnable> all = new ArrayList<>();
        synchronized (ExitSequence.class) {
            STEPS.forEach(all::addAll);
        }
        for (Runnable step : all) {
            try {
                step.run();
            } catch (Throwable t) {
                System.err.println("multiprocessing4j: an exit step failed: " + t);
            }
        }
    }
}
