package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.util.List;
import org.multiprocessing4j.internal.wire.FrameChannel;
import sun.misc.Signal;

/**
 * Tells the parent how this child JVM ends, so the parent can report Python's exit code (see
 * {@link ExitStatus}): handlers for SIGTERM, SIGINT and SIGHUP send {@link Frames#SIGNAL} and then exit as
 * the JVM's own handlers would ({@code 128 + N}, with shutdown hooks); a shutdown hook sends
 * {@link Frames#SHUTDOWN}.
 *
 * <p>Implementation note: the signal handlers are installed first thing in {@code main}, long before the
 * parent can know our pid is ready, and the hook only once the link is up. Installed the other way round,
 * a SIGTERM dispatched to the JVM's default handler could run our hook and read as an orderly
 * {@code System.exit(143)}. A signal that arrives before the link is up sends nothing, and the parent
 * decodes the bare status 143 as -15, which is right; but if the link comes up while that signal's exit
 * is still starting, {@link #connected} reports the signal itself before installing the hook (the two meet
 * under the class lock), so the parent never reads such an exit as orderly. With {@code -Xrs} no handler can be installed and a
 * terminate reads as -15 the same way.
 */
final class ChildNotices {
    private static final List<String> TERMINATING_SIGNALS = List.of("TERM", "INT", "HUP");
    /** Guarded by the class: the link once up, and the first terminating signal seen, or 0. */
    private static FrameChannel link;
    private static int signalled;

    private ChildNotices() {
    }

    /** First thing in a child's {@code main}. */
    static void installSignalHandlers() {
        for (String name : TERMINATING_SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    FrameChannel channel;
                    synchronized (ChildNotices.class) {
                        signalled = signal.getNumber();
                        channel = link;
                    }
                    if (channel != null) {
                        send(channel, Frames.SIGNAL, new byte[] {(byte) signal.getNumber()});
                    } // else connected() reports it
                    // NOTE: if the JVM is already exiting, this exit blocks; a step waiting for others must not
                    ExitSequence.abandonWaits();
                    System.exit(128 + signal.getNumber());
                });
            } catch (IllegalArgumentException | IllegalStateException unavailable) {
                // -Xrs, or the signal is reserved on this platform
            }
        }
    }

    private static volatile boolean exiting;

    /** Once the control link is up: from now on the parent hears how we end. */
    static void connected(FrameChannel channel) {
        int early;
        synchronized (ChildNotices.class) {
            link = channel;
            early = signalled;
        }
        if (early != 0) {
            // NOTE: a signal came while the link was coming up: report it now, before the exit hook below
            // can report an orderly shutdown (which would read as System.exit(128 + N), not -N)
            send(channel, Frames.SIGNAL, new byte[] {(byte) early});
        }
        Thread hook = new Thread(() -> {
            send(channel, Frames.SHUTDOWN, new byte[0]);
            // NOTE: set before shutting the input, so the link watcher reads its end-of-stream as our exit, not
            // the parent's death. Shutting it gets the watcher out of its native read: HotSpot waits up to
            // 300 ms at exit for threads still in native code. Only the input: a terminating signal during
            // the exit (one that cuts the joins of the exit sequence short) must still be reported, or the
            // parent reads the exit status (0, or 143 if the signal's own exit won) instead of -N.
            exiting = true;
            try {
                channel.channel().shutdownInput();
            } catch (IOException ignored) {
                // already closed
            }
        }, "mp4j-exit-notice");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal's exit already began (and was reported above): nothing more to say
        }
    }

    /** True once this JVM began its orderly shutdown. */
    static boolean exiting() {
        return exiting;
    }

    private static void send(FrameChannel channel, byte type, byte[] payload) {
        try {
            channel.send(type, payload);
        } catch (IOException ignored) {
            // the parent is gone; nobody to tell
        }
    }
}
