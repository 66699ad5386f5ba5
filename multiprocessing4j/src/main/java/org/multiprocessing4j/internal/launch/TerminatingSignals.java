package org.multiprocessing4j.internal.launch;

/**
 * Tells the exit steps when an exit was begun by a terminating signal (SIGTERM, SIGINT, SIGHUP), so that
 * they stop waiting for other processes ({@link ExitSequence#abandonWaits()}). Thread-safe.
 */
public final class TerminatingSignals {
    private static final String[] NAMES = {"TERM", "INT", "HUP"};
    private static boolean watching;

    private TerminatingSignals() {
    }

    /**
     * Chains a handler before this JVM's own for each terminating signal (once per JVM), which marks the exit
     * as signalled and then does what the previous handler did (the JVM's: begin the exit, status 128 + the
     * signal; an application's own, if it installed one before). A signal ignored (nohup) stays ignored; under
     * {@code -Xrs} nothing is installed.
     */
    public static synchronized void watch() {
        if (watching) {
            return;
        }
        watching = true;
        for (String name : NAMES) {
            try {
                // NOTE: sun.misc named in full, not imported: javadoc (failOnWarnings) flags the import
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
                previous[0] = sun.misc.Signal.handle(signal, s -> {
                    ExitSequence.abandonWaits();
                    sun.misc.SignalHandler before = previous[0];
                    if (before == null || before == sun.misc.SignalHandler.SIG_DFL) {
                        System.exit(128 + s.getNumber()); // NOTE: what the JVM's own handler does
                    } else if (before != sun.misc.SignalHandler.SIG_IGN) {
                        before.handle(s);
                    }
                });
                if (previous[0] == sun.misc.SignalHandler.SIG_IGN) {
                    sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException | IllegalStateException unavailable) {
                // -Xrs, or the signal is reserved on this platform
            }
        }
    }
}
