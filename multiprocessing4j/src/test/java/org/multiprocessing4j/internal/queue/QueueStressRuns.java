package org.multiprocessing4j.internal.queue;

import java.io.IOException;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.StressJvm;

/** Starts {@link QueueStress} in a fresh JVM with the given weakening and returns its verdict. */
final class QueueStressRuns {
    /** No message taken this long is a hang: with the safety net off a lost wake sleeps minutes. */
    static final long STALL_MILLIS = 2_000;
    /** Beyond the run's own bounds: JVM starts and exits, the first-message allowance of QueueStress. */
    private static final long SLACK_MILLIS = 40_000;

    private QueueStressRuns() {
    }

    /** Runs the stress in a child JVM: {@code mode} "threads" or "processes"; producers stop after {@code maxMillis}. */
    static StressJvm.Verdict run(String weaken, String mode, long maxMillis, long seed) throws IOException, InterruptedException {
        return StressJvm.run("[queue stress] " + weaken + ", " + mode + ", seed " + seed, Configuration.WEAKEN_QUEUE, weaken,
                QueueStress.class, maxMillis + STALL_MILLIS + SLACK_MILLIS,
                mode, Long.toString(maxMillis), Long.toString(STALL_MILLIS), Long.toString(seed));
    }
}
