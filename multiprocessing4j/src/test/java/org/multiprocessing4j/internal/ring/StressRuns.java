package org.multiprocessing4j.internal.ring;

import java.io.IOException;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.StressJvm;

/** Starts {@link RingStress} in a fresh JVM with the given weakening and returns its verdict. */
final class StressRuns {
    /** The reader making no progress this long is a hang: with the safety net off a lost wake sleeps minutes. */
    static final long STALL_MILLIS = 2_000;
    /** Beyond the run's own bounds: the child JVM itself is stuck (startup, exit). */
    private static final long SLACK_MILLIS = 30_000;

    private StressRuns() {
    }

    /**
     * Runs the stress in a child JVM: {@code mode} "threads" or "processes"; the writer stops after
     * {@code messages} or {@code maxMillis}.
     */
    static StressJvm.Verdict run(String weaken, String mode, long messages, long maxMillis, long seed)
            throws IOException, InterruptedException {
        return run(java.util.List.of(), weaken, mode, messages, maxMillis, seed);
    }

    /** As {@link #run(String, String, long, long, long)}, with more JVM options for the stress JVM. */
    static StressJvm.Verdict run(java.util.List<String> jvmOptions, String weaken, String mode, long messages, long maxMillis,
            long seed) throws IOException, InterruptedException {
        return StressJvm.run("[ring stress] " + String.join(" ", jvmOptions) + (jvmOptions.isEmpty() ? "" : " ") + weaken + ", "
                + mode + ", seed " + seed, jvmOptions, Configuration.WEAKEN_RING, weaken,
                RingStress.class, maxMillis + STALL_MILLIS + SLACK_MILLIS,
                mode, Long.toString(messages), Long.toString(maxMillis), Long.toString(STALL_MILLIS), Long.toString(seed));
    }
}
