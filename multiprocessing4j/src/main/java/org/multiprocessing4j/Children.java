package org.multiprocessing4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.multiprocessing4j.internal.launch.ExitSequence;

/**
 * The children this JVM started and has not reaped: {@link Multiprocessing#activeChildren()}, and the
 * exit step that terminates daemon children and joins the others (Python's {@code _exit_function}).
 */
final class Children {
    /** How long a daemon child gets after SIGTERM at exit before SIGKILL. */
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(2);

    private static final Set<Process> STARTED = new LinkedHashSet<>();
    private static boolean exitStepAdded;

    private Children() {
    }

    static synchronized void add(Process p) {
        if (!exitStepAdded) {
            ExitSequence.add(ExitSequence.Phase.CHILDREN, Children::atExit);
            exitStepAdded = true;
        }
        STARTED.add(p);
    }

    static synchronized void remove(Process p) {
        STARTED.remove(p);
    }

    /** The children still running; finished ones are forgotten (reaped). */
    static synchronized List<Process> active() {
        STARTED.removeIf(p -> p.exitCode() != null);
        return List.copyOf(STARTED);
    }

    private static void atExit() {
        List<Process> all;
        synchronized (Children.class) {
            all = new ArrayList<>(STARTED);
        }
        for (Process p : all) {
            if (p.daemon() && p.isAlive()) {
                p.terminate();
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
                p.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IllegalStateException closed) {
                // closed meanwhile: it had ended
            }
        }
    }
}
