package org.multiprocessing4j.internal.sync;

import java.io.IOException;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.StressJvm;

/** Starts {@link SyncStress} in a fresh JVM with the given weakening and returns its verdict. */
final class SyncStressRuns {
    /** No progress this long is a hang: with the safety net off a lost wake sleeps ten minutes. */
    static final long STALL_MILLIS = 2_000;
    /** Beyond the run's own bounds: the child JVM itself is stuck (startup, exit). */
    private static final long SLACK_MILLIS = 60_000;

    private SyncStressRuns() {
    }

    /** Runs {@code scenario} in a child JVM for up to {@code maxMillis}: mode "threads" or "processes". */
    static StressJvm.Verdict run(String weaken, String scenario, String mode, long maxMillis, long seed)
            throws IOException, InterruptedException {
        return StressJvm.run("[sync stress] " + weaken + ", " + scenario + ", " + mode + ", seed " + seed, Configuration.WEAKEN_SYNC,
                weaken, SyncStress.class, maxMillis + STALL_MILLIS + SLACK_MILLIS,
                scenario, mode, Long.toString(maxMillis), Long.toString(STALL_MILLIS), Long.toString(seed));
    }
}
