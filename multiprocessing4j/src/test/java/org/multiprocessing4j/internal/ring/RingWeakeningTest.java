package org.multiprocessing4j.internal.ring;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * The quick half of the ring's stress tests, in the default suite: the stress run (RingStress, a few
 * seconds in a fresh JVM with the futex slices' safety net off) passes against the real protocol, and
 * catches a waker that never wakes and a sleeper that does not arm the sequence it waits on. The long runs and the subtler weakenings are in
 * {@link RingStressTest} ({@code ./mvnw -Pstress -pl multiprocessing4j test}); STRESS.md lists them.
 */
class RingWeakeningTest extends ChildProcessTestBase {
    private static final long MESSAGES = 30_000;
    private static final long MAX_MILLIS = 5_000;

    /** Control: without it, a "hang" from the weakened run below could be a broken harness. */
    @Test
    void the_real_protocol_delivers_every_message_once_in_order_and_whole_with_the_safety_net_off() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net", "threads", MESSAGES, MAX_MILLIS, 1);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: a lost wake-up because the waker does not wake a registered sleeper. */
    @Test
    void the_stress_run_hangs_when_the_waker_skips_FUTEX_WAKE() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net,skip-wake", "threads", MESSAGES, MAX_MILLIS, 1);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }

    /** Hazard: a waker that reads a stale "armed" sequence takes the sleeper for woken and skips its wake. */
    @Test
    void the_stress_run_hangs_when_the_sleeper_does_not_arm_the_sequence_it_waits_on() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net,no-arm", "threads", MESSAGES, MAX_MILLIS, 1);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }
}
