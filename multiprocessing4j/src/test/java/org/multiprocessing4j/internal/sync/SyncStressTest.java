package org.multiprocessing4j.internal.sync;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * Long stress runs of the lock, owner-recovery, condition and barrier protocols ({@link SyncStress} in
 * fresh JVMs, the futex slices that would hide a lost wake-up switched off), and the proof that they catch
 * each weakened variant. Tagged {@code stress}: {@code ./mvnw -Pstress -pl multiprocessing4j test}.
 * STRESS.md says which hazard each guards and what this machine showed.
 */
@Tag("stress")
class SyncStressTest extends ChildProcessTestBase {
    private static final long LONG_RUN_MILLIS = 10_000;
    private static final long RACE_BUDGET_MILLIS = 30_000;

    /**
     * Hazards: two holders inside a lock (lock); two threads taking over one dead owner's lock, or a
     * recoverer and a newcomer both inside (recovery); lost wake-ups of lock waiters, condition waiters
     * and barrier parties (a hang, since the safety net is off); a condition wait that gave up (timeout,
     * interrupt) yet took a signal, so that a live waiter missed it (condition-timeout).
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"lock, threads", "lock, processes", "recovery, threads", "condition, threads", "condition, processes",
            "condition-timeout, threads", "condition-timeout, processes", "barrier, threads", "barrier, processes"})
    void the_real_protocol_survives_a_long_run_with_the_safety_net_off(String scenario, String mode) throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net", scenario, mode, LONG_RUN_MILLIS, 21);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: a bias thread and a revoker both inside a biased lock, or a revocation waiting forever. */
    @ParameterizedTest(name = "bias in {0}")
    @CsvSource({"threads", "processes"})
    void the_biased_lock_survives_a_long_run_of_biases_and_revocations(String mode) throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net,lock-bias-eager", "bias", mode, LONG_RUN_MILLIS, 27);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Each weakened variant must be caught: the verdict it must produce, in threads and across JVMs. */
    @ParameterizedTest(name = "{0} in {1} {2}")
    @CsvSource({"lock-plain-takeover, recovery, threads, CORRUPT",
            "lock-keep-pending, lock, threads, HANG", "lock-keep-pending, lock, processes, HANG",
            "condition-plain-sleep, condition, threads, HANG", "condition-plain-sleep, condition, processes, HANG",
            "barrier-late-read, barrier, threads, HANG", "barrier-late-read, barrier, processes, HANG"})
    void the_stress_run_catches_the_weakened_variant(String weakening, String scenario, String mode, String expected)
            throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net," + weakening, scenario, mode, RACE_BUDGET_MILLIS, 22);
        assertTrue(expected.equals("HANG") ? verdict.hang() : verdict.corrupt(), "expected " + expected + ", got " + verdict);
    }

    /**
     * Hazards whose window is a few instructions of the releaser: a lock release that reads the waiter
     * count before its release store ({@code lock-wake-check-first}), and a waiter that skips the membarrier
     * which stands in for the releaser's store→load fence ({@code lock-no-barrier}, where releases store
     * without a fence). Either way a waiter registering in between sleeps and is never woken. On the 2-vCPU
     * VM neither showed in runs of this length, so the test reports that as skipped, not passed.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"lock-wake-check-first, threads", "lock-wake-check-first, processes", "lock-no-barrier, threads",
            "lock-no-barrier, processes"})
    void the_stress_run_hangs_when_a_release_and_a_waiter_miss_each_other(String weakening, String mode) throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net," + weakening, "lock", mode, LONG_RUN_MILLIS, 23);
        Assumptions.assumeFalse(verdict.ok(), "the lost wake-up did not show on this machine: " + verdict);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }
}
