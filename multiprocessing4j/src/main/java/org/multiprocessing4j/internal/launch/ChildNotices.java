package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.util.List;
import org.multiprocessing4j.internal.wire.FrameChannel;
import sun.misc.Signal;

/**
 * Tells the parent how this child JVM ends, so the parent can report Python's exit code (see
 * {@link ExitStatus}): a shutdown hook sends {@link Frames#SHUTDOWN}; handlers for SIGTERM, SIGINT and
 * SIGHUP send {@link Frames#SIGNAL} and then exit as the JVM's own handlers would ({@code 128 + N}, with
 * shutdown hooks). If the JVM runs with {@code -Xrs} the handlers cannot be installed and a terminate reads
 * as status 143.
 */
final class ChildNotices {
    private static final List<String> TERMINATING_SIGNALS = List.of("TERM", "INT", "HUP");

    private ChildNotices() {
    }

    static void install(FrameChannel link) {
        for (String name : TERMINATING_SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    send(link, Frames.SIGNAL, new byte[] {(byte) signal.getNumber()});
                    System.exit(128 + signal.getNumber());
                });
            } catch (IllegalArgumentException | IllegalStateException unavailable) {
                // -Xrs, or the signal is reserved on this platform
            }
        }
        // NOTE: after the signal handlers: a SIGTERM that lands between the two must not look like an
        // orderly exit with status 143 (the JVM's default handler would run our hook without a SIGNAL notice).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> send(link, Frames.SHUTDOWN, new byte[0]), "mp4j-exit-notice"));
    }

    private static void send(FrameChannel link, byte type, byte[] payload) {
        try {
            link.send(type, payload);
        } catch (IOException ignored) {
            // the parent is gone; nobody to tell
        }
    }
}
