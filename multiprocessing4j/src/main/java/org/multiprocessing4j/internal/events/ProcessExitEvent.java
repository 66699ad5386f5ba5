package org.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A child process ended (seen by its parent once its exit code is known): Python's exit code, {@code -N}
 * for death by signal {@code N}. Standby JVMs that never ran a process have the name {@code (standby)}.
 */
@Name("multiprocessing4j.ProcessExit")
@Label("Process Exit")
@Category({"multiprocessing4j", "Process"})
@Description("A child process ended; its exit code as Process.exitCode() reports it")
@StackTrace(false)
public final class ProcessExitEvent extends Event {
    private static final ProcessExitEvent PROBE = new ProcessExitEvent();

    @Label("Process Name")
    String processName;

    @Label("PID")
    long pid;

    @Label("Exit Code")
    @Description("0 normal; 1 run() threw; n after System.exit(n); -N killed by signal N")
    int exitCode;

    /** Commits one event if a recording takes it. */
    public static void emit(String processName, long pid, int exitCode) {
        if (!PROBE.isEnabled()) {
            return;
        }
        ProcessExitEvent e = new ProcessExitEvent();
        if (e.shouldCommit()) {
            e.processName = processName;
            e.pid = pid;
            e.exitCode = exitCode;
            e.commit();
        }
    }
}
