package org.multiprocessing4j.internal.launch;

/**
 * Turns what the OS and the child told us into Python's {@code exitcode}.
 *
 * <p>The JDK reports a child killed by signal N as {@code 128 + N}, the same number a
 * {@code System.exit(128 + N)} gives, and a JVM that handles SIGTERM itself exits with 143. So the child
 * tells us how it ends over the control link: {@link Frames#SIGNAL} when a terminating signal arrived,
 * {@link Frames#SHUTDOWN} when its JVM began an orderly shutdown. The rules, in order:
 * <ol>
 *   <li>this JVM sent SIGKILL ({@code kill()}) and the status is {@code 128 + 9}: -9, even after a signal
 *       notice or an orderly shutdown (a child stuck in its shutdown hooks is killed by the signal);</li>
 *   <li>a signal notice N: {@code -N} (after {@code terminate()}: -15);</li>
 *   <li>an orderly shutdown: the status as is ({@code System.exit(n)}: n; normal return: 0; a target
 *       that threw: 1);</li>
 *   <li>no notice and status above 128: killed by signal {@code status - 128} before any Java code could
 *       run (SIGKILL: -9; a JVM crash: -6), so {@code -(status - 128)};</li>
 *   <li>otherwise the status as is ({@code Runtime.halt(n)}).</li>
 * </ol>
 * The ambiguities left: {@code Runtime.halt(n)} with {@code n > 128} reads as a signal, and so does a
 * {@code System.exit(137)} that a {@code kill()} raced with.
 */
final class ExitStatus {
    private ExitStatus() {
    }

    /** The status the JDK reports for a process ended by SIGKILL. */
    private static final int KILLED_STATUS = 128 + 9;

    /** @param killSent whether this JVM sent the child SIGKILL ({@code kill()}) */
    static int decode(int osStatus, boolean orderlyShutdown, int signal, boolean killSent) {
        if (killSent && osStatus == KILLED_STATUS) {
            return -9; // NOTE: before a signal notice: a SIGTERM's exit that a kill() cut short ended by SIGKILL
        }
        if (signal > 0) {
            return -signal;
        }
        if (orderlyShutdown) {
            return osStatus;
        }
        if (osStatus > 128 && osStatus < 128 + 65) {
            return -(osStatus - 128);
        }
        return osStatus;
    }
}
