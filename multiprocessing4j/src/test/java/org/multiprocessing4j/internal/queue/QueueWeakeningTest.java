package org.multiprocessing4j.internal.queue;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * The quick half of the queue's stress tests, in the default suite: the stress run ({@link QueueStress}, two
 * producers and two consumers on a 1 KiB queue in a fresh JVM, futex slices' safety net off) passes against
 * the real protocol, and catches a waker that never wakes. The long runs and the subtler weakenings are
 * in {@link QueueStressTest}; multiprocessing4j/STRESS.md lists them.
 */
class QueueWeakeningTest extends ChildProcessTestBase {
    private static final long MAX_MILLIS = 1_500;

    /** Control: without it, a "hang" from the weakened run below could be a broken harness. */
    @Test
    void the_real_protocol_moves_every_message_once_in_order_per_producer_and_whole_with_the_safety_net_off()
            throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net", "threads", MAX_MILLIS, 1);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: a lost wake-up because the waker does not wake a side that set the waiting bit. */
    @Test
    void the_stress_run_hangs_when_the_waker_skips_FUTEX_WAKE() throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net,skip-wake", "threads", MAX_MILLIS, 1);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }
}
