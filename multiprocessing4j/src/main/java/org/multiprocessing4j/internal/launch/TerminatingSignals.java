package org.multiprocessing4j.internal.launch;

import sun.misc.Signal;
import sun.misc.SignalHandler;

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
                Signal signal = new Signal(name);
                SignalHandler[] previous = new SignalHandler[1];
                previous[0] = Signal.handle(signal, s -> {
                    ExitSequence.abandonWaits();
                    SignalHandler before = previous[0];
                    if (before == null || before == SignalHandler.SIG_DFL) {
                        System.exit(128 + s.getNumber()); // NOTE: what the JVM's own handler does
                    } else if (before != SignalHandler.SIG_IGN) {
                        before.handle(s);
                    }
                });
                if (previous[0] == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException | IllegalStateException unavailable) {
                // -Xrs, or the signal is reserved on this platform
            }
        }
    }
}
