package org.multiprocessing4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.launch.TerminatingSignals;

/**
 * The children this JVM started and has not reaped: {@link Multiprocessing#activeChildren()}, and the
 * exit step that terminates daemon children and joins the others (Python's {@code _exit_function}).
 * An exit begun by a terminating signal (SIGTERM, SIGINT, SIGHUP), or one such signal during the joins,
 * terminates the other children too instead of waiting for them: {@code kill}, {@code docker stop} or a
 * service manager must be able to stop the application (CPython's parent dies at once on SIGTERM, leaving
 * its children running; this library leaves no orphans).
 */
final class Children {
    /** How long a daemon child gets after SIGTERM at exit before SIGKILL. */
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(2);
    /** How often the exit step's join of a non-daemon child looks whether a terminating signal came. */
    private static final Duration JOIN_SLICE = Duration.ofMillis(50);

    /**
     * In start order. NOTE: a list compared by identity, never a hash set: a subclass may define {@code equals} and
     * {@code hashCode} by value, and two children equal by them were one entry (the second missing from
     * {@code activeChildren()} and never joined at exit), or a hash changed after start lost its entry.
     */
    private static final List<Process> STARTED = new ArrayList<>();
    private static boolean exitStepAdded;

    private Children() {
    }

    static synchronized void add(Process p) {
        if (!exitStepAdded) {
            ExitSequence.add(ExitSequence.Phase.CHILDREN, Children::atExit);
            TerminatingSignals.watch();
            exitStepAdded = true;
        }
        // NOTE: as CPython's start() (_cleanup()): finished children are forgotten here too, or a program that
        // starts and joins processes without ever asking for activeChildren() would keep each one for ever
        STARTED.removeIf(Process::ended);
        STARTED.add(p);
    }

    static synchronized void remove(Process p) {
        STARTED.removeIf(q -> q == p);
    }

    /** The children still running; finished ones are forgotten (reaped). */
    static synchronized List<Process> active() {
        // NOTE: not exitCode(), which throws for a process another thread has just closed (it waits for this
        // lock to remove itself)
        STARTED.removeIf(Process::ended);
        return List.copyOf(STARTED);
    }

    private static void atExit() {
        List<Process> all;
        synchronized (Children.class) {
            all = new ArrayList<>(STARTED);
        }
        try {
            for (Process p : all) {
                if (p.daemon() && !p.ended()) {
                    try {
                        p.terminate();
                    } catch (IllegalStateException closed) {
                        // closed meanwhile: it had ended
                    }
                }
            }
            for (Process p : all) {
                try {
                    if (p.daemon()) {
                        p.join(TERMINATE_GRACE);
                        if (p.isAlive()) {
                            p.kill();
                        }
                    }
                    // NOTE: in slices: a terminating signal before or during the wait ends the children instead
                    while (p.isAlive() && !ExitSequence.waitsAbandoned()) {
                        p.join(JOIN_SLICE);
                    }
                    if (ExitSequence.waitsAbandoned()) {
                        endAll(all);
                        return;
                    }
                    p.join();
                } catch (IllegalStateException closed) {
                    // closed meanwhile: it had ended
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A terminating signal came: every child still running is terminated, and killed if it lingers. */
    private static void endAll(List<Process> all) throws InterruptedException {
        for (Process p : all) {
            try {
                if (p.isAlive()) {
                    p.terminate();
                }
            } catch (IllegalStateException closed) {
                // closed meanwhile: it had ended
            }
        }
        for (Process p : all) {
            try {
                p.join(TERMINATE_GRACE);
                if (p.isAlive()) {
                    p.kill();
                    p.join(TERMINATE_GRACE);
                }
            } catch (IllegalStateException closed) {
                // closed meanwhile: it had ended
            }
        }
    }
}
