package org.multiprocessing4j.internal.ring;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * Long stress runs of the SPSC ring and its futex protocol (RingStress in fresh JVMs, the bounded futex
 * slices that would hide a lost wake-up switched off), and the proof that they catch each weakened
 * variant of the protocol. Tagged {@code stress}: {@code ./mvnw -Pstress -pl multiprocessing4j test}.
 * STRESS.md says which hazard each guards and what this machine showed.
 */
@Tag("stress")
class RingStressTest extends ChildProcessTestBase {
    private static final long LONG_RUN_MILLIS = 20_000;
    /** The no-recheck race hit within 0.1-5 s in every trial on the 2-vCPU VM; this leaves room. */
    private static final long RACE_BUDGET_MILLIS = 30_000;
    private static final long UNLIMITED = Long.MAX_VALUE / 4;
    /** A stress JVM whose wakers fence (not registered for membarrier), for the fenced protocol's tests. */
    private static final java.util.List<String> UNREGISTERED = java.util.List.of("-Dmultiprocessing4j.membarrier=false");

    /**
     * Hazards: torn or reordered records (payload visible after the tail that covers it), a lost or
     * repeated message across wrap-around, PAD records and streamed pieces; lost wake-ups on either
     * futex (reader on an empty ring, writer on a full one).
     */
    @Test
    void two_threads_exchange_millions_of_messages_each_once_in_order_and_whole() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net", "threads", UNLIMITED, LONG_RUN_MILLIS, 11);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** The same hazards with the ends in two JVMs: the futex keyed by the file page, two mappings. */
    @Test
    void two_JVMs_exchange_millions_of_messages_each_once_in_order_and_whole() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net", "processes", UNLIMITED, LONG_RUN_MILLIS, 12);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /**
     * The control of the fenced wakers' protocol: a JVM not registered for membarrier(2) (the property
     * below), whose wakers keep their full fence and whose sleepers' barriers do not reach its own threads.
     */
    @Test
    void two_threads_of_a_JVM_not_registered_for_membarrier_exchange_millions_of_messages() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run(UNREGISTERED, "no-safety-net", "threads", UNLIMITED, LONG_RUN_MILLIS, 17);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: the classic lost-wake race, a publication between the sleeper's last check and its registration. */
    @Test
    void the_stress_run_hangs_when_a_sleeper_does_not_recheck_after_registering() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net,no-recheck", "threads", UNLIMITED, RACE_BUDGET_MILLIS, 13);
        assertTrue(verdict.hang(), "expected HANG within " + RACE_BUDGET_MILLIS + " ms, got " + verdict);
    }

    /** The same lost-wake race across two JVMs. */
    @Test
    void the_stress_run_across_JVMs_hangs_when_a_sleeper_does_not_recheck_after_registering() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net,no-recheck", "processes", UNLIMITED, RACE_BUDGET_MILLIS, 14);
        assertTrue(verdict.hang(), "expected HANG within " + RACE_BUDGET_MILLIS + " ms, got " + verdict);
    }

    /**
     * Hazard: the waker's store→load reordering (tail or head still in the store buffer while it reads a
     * stale zero sleeper count). x86 allows it, but on this 2-vCPU VM it never showed in 20 s runs: the
     * test reports that as skipped, not passed, until a machine shows it.
     */
    @Test
    void the_stress_run_hangs_when_the_waker_reads_the_sleepers_without_a_full_fence() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run(UNREGISTERED, "no-safety-net,no-wake-fence", "threads", UNLIMITED, LONG_RUN_MILLIS, 15);
        Assumptions.assumeFalse(verdict.ok(), "the store->load reordering did not show on this machine: " + verdict);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }

    /**
     * Hazard: where wakers are fenceless (their process registered for membarrier(2)), a sleeper that skips
     * the membarrier before it sleeps lets the waker's store→load reordering through. The window is the
     * waker's store buffer draining: like no-wake-fence, expected to be too rare to show here; reported as
     * skipped, not passed, until a machine shows it.
     */
    @Test
    void the_stress_run_hangs_when_a_sleeper_skips_the_membarrier_that_orders_fenceless_wakers() throws Exception {
        StressJvm.Verdict verdict = StressRuns.run("no-safety-net,no-barrier", "threads", UNLIMITED, LONG_RUN_MILLIS, 16);
        Assumptions.assumeFalse(verdict.ok(), "the store->load reordering did not show on this machine: " + verdict);
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }
}
