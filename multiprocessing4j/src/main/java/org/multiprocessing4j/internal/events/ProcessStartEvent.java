package org.multiprocessing4j.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A child process was started: its duration is the time {@code Process.start()} took, from the call until
 * the child JVM held its process (a JVM boot with {@code SPAWN}, a hand-over with {@code PRESTARTED}).
 * Committed by the parent.
 */
@Name("multiprocessing4j.ProcessStart")
@Label("Process Start")
@Category({"multiprocessing4j", "Process"})
@Description("A child JVM was started and took its process; the duration is the time start() took")
@StackTrace(false)
public final class ProcessStartEvent extends Event {
    private static final ProcessStartEvent PROBE = new ProcessStartEvent();

    @Label("Process Name")
    String processName;

    @Label("PID")
    long pid;

    @Label("Start Method")
    String startMethod;

    /** {@return a begun event if one is recorded, else null (nothing allocated)} */
    public static ProcessStartEvent begin(String startMethod) {
        if (!PROBE.isEnabled()) {
            return null;
        }
        ProcessStartEvent e = new ProcessStartEvent();
        e.startMethod = startMethod;
        e.begin();
        return e;
    }

    /** Ends and commits {@code event} (may be null: then nothing happens). */
    public static void commit(ProcessStartEvent event, String processName, long pid) {
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.processName = processName;
            event.pid = pid;
            event.commit();
        }
    }
}
