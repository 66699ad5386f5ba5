package org.multiprocessing4j.hazelcast.internal;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** The cluster transport's own log lines, on standard error (Hazelcast's logging is configured apart). */
public final class WorkerLog {
    private WorkerLog() {
    }

    /** Logs a warning: something was refused or went wrong, and the transport carries on. */
    public static void warn(String message) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " mp4j-hazelcast WARNING: " + message);
    }

    /** Logs an informational line. */
    public static void info(String message) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " mp4j-hazelcast: " + message);
    }
}
