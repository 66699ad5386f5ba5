package org.multiprocessing4j.internal.launch;

import org.multiprocessing4j.internal.Configuration;

/**
 * With {@code -Dmultiprocessing4j.traceBoot=true} a child prints to stderr how long after its parent
 * launched it each boot phase ended, to see where start latency goes. Off by default; costs nothing then.
 */
final class BootTrace {
    private static final boolean ON = Configuration.traceBoot();
    private static long launchNanos;

    private BootTrace() {
    }

    static void launchedAt(long nanos) {
        launchNanos = nanos;
    }

    static void phase(String name) {
        if (ON && launchNanos != 0) {
            long micros = (System.nanoTime() - launchNanos) / 1000;
            // NOTE: no printf: a fresh JVM's first Formatter costs ~20 ms, which would land in the next phase
            System.err.println("mp4j boot " + name + " +" + micros / 1000 + "." + micros % 1000 / 100 + " ms (at " + System.nanoTime() / 1000 + " us)");
        }
    }
}
