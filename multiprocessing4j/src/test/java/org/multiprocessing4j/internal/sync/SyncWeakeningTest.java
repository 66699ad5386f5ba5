package org.multiprocessing4j.internal.sync;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.Configuration;

/**
 * The quick half of the sync stress tests, in the default suite: four protocols (owner recovery, the
 * lock's wake-pending flag, the condition's sleep handshake, a biased lock's revocation) pass a few seconds
 * of {@link SyncStress} with the futex safety net off, and the stress run catches a weakened variant of
 * each; condition waiters that give up while signals race take none (no weakened variant); and a lock whose killed holder's pid was handed to another process is recovered
 * ({@link PidReuseRecovery}), but not with owner words that lack the start-time token. The long runs and
 * the other weakenings are in {@link SyncStressTest} ({@code ./mvnw -Pstress -pl multiprocessing4j test});
 * STRESS.md lists them.
 */
class SyncWeakeningTest extends ChildProcessTestBase {
    private static final long MAX_MILLIS = 2_000;
    private static final long RACE_BUDGET_MILLIS = 20_000;

    /**
     * ABA on the owner's identity: a holder killed with SIGKILL, its pid then handed to an unrelated live
     * process. The owner word's start-time token tells them apart, so the lock is recovered.
     */
    @Test
    void a_dead_holders_pid_reused_by_a_live_process_does_not_keep_its_lock() throws Exception {
        StressJvm.Verdict verdict = pidReuse("");
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard of the test above, shown by the owner word without its token: the reused pid keeps the lock. */
    @Test
    void without_the_start_token_a_dead_holders_reused_pid_keeps_its_lock() throws Exception {
        StressJvm.Verdict verdict = pidReuse("lock-no-token");
        assertTrue(verdict.hang(), "expected HANG, got " + verdict);
    }

    private static StressJvm.Verdict pidReuse(String weaken) throws Exception {
        StressJvm.Verdict verdict = StressJvm.run("[pid reuse] " + (weaken.isEmpty() ? "real protocol" : weaken),
                Configuration.WEAKEN_SYNC, weaken, PidReuseRecovery.class, 60_000);
        Assumptions.assumeFalse(verdict.status() == PidReuseRecovery.NO_REUSE, verdict.line());
        return verdict;
    }

    /** Control for the test below: exactly one of four racing threads takes over a dead owner's lock. */
    @Test
    void the_real_take_over_gives_a_dead_owners_lock_to_exactly_one_of_the_racing_threads() throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net", "recovery", "threads", MAX_MILLIS, 1);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: recoverers (and a newcomer) both holding the lock when the take-over is not a CAS from the dead word. */
    @Test
    void the_stress_run_finds_two_holders_when_the_take_over_is_a_plain_store() throws Exception {
        List<StressJvm.Verdict> verdicts = untilCaught("no-safety-net,lock-plain-takeover", "recovery", StressJvm.Verdict::corrupt, 2, 12, 22);
        assertTrue(verdicts.getLast().corrupt(), "expected CORRUPT, got " + verdicts);
    }

    /**
     * Hazard: a lock waiter that sleeps on a word its own process retook is never woken, because a release
     * whose wake found nobody asleep left the wake-pending flag set.
     */
    @Test
    void the_stress_run_finds_a_stuck_lock_waiter_when_a_wake_that_found_nobody_stays_pending() throws Exception {
        List<StressJvm.Verdict> verdicts = untilCaught("no-safety-net,lock-keep-pending", "lock", StressJvm.Verdict::hang, 5, 15, 25);
        assertTrue(verdicts.getLast().hang(), "expected HANG, got " + verdicts);
    }

    /** Control for the test above: four threads share a lock, none stuck, never two inside. */
    @Test
    void four_threads_share_a_lock_without_a_stuck_waiter_with_the_safety_net_off() throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net", "lock", "threads", MAX_MILLIS, 6);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Control for the test below: two parties take turns through a condition without a lost wake-up. */
    @Test
    void two_parties_take_turns_through_a_condition_with_the_safety_net_off() throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net", "condition", "threads", MAX_MILLIS, 3);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: a signal between the waiter's last look and its announcement of sleep is lost. */
    @Test
    void the_stress_run_hangs_when_a_condition_waiter_announces_its_sleep_with_a_plain_store() throws Exception {
        List<StressJvm.Verdict> verdicts = untilCaught("no-safety-net,condition-plain-sleep", "condition", StressJvm.Verdict::hang, 4, 14, 24);
        assertTrue(verdicts.getLast().hang(), "expected HANG, got " + verdicts);
    }

    /**
     * Waiters whose timeouts (around the spin budget) and interrupts race one or two signals at a time: a
     * wait that gave up never took a signal, in threads and across two JVMs. There is no weakening switch for
     * this hazard; the protocol before waiters withdrew on giving up (their slot stayed signallable until
     * they had the lock back) failed this run as CORRUPT within its first steps.
     */
    @ParameterizedTest(name = "in {0}")
    @ValueSource(strings = {"threads", "processes"})
    void condition_waiters_that_give_up_while_signals_race_take_none_with_the_safety_net_off(String mode) throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net", "condition-timeout", mode, MAX_MILLIS, 10);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Control for the test below: a biased lock's bias comes and goes thousands of times a second, never two inside. */
    @Test
    void hot_and_cold_threads_share_a_biased_lock_that_is_biased_and_revoked_again_and_again() throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net,lock-bias-eager", "bias", "threads", MAX_MILLIS, 7);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** The same across two JVMs: the revoker's membarrier must reach the other process's bias thread. */
    @Test
    void hot_and_cold_threads_of_two_jvms_share_a_biased_lock() throws Exception {
        StressJvm.Verdict verdict = SyncStressRuns.run("no-safety-net,lock-bias-eager", "bias", "processes", MAX_MILLIS, 8);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /**
     * Hazard: a bias thread that does not look at the state again after storing its hold enters while a
     * revoker, having read the hold as 0, enters too. Either the two meet inside (CORRUPT), or the bias
     * thread's release, seeing the bias gone, releases the revoker's hold and leaves its own set, so that the
     * next revocation waits for it forever (HANG): both are the broken exclusion.
     */
    @Test
    void the_stress_run_catches_a_bias_thread_that_does_not_look_again_after_storing_its_hold() throws Exception {
        List<StressJvm.Verdict> verdicts = untilCaught("no-safety-net,lock-bias-eager,lock-bias-no-recheck", "bias",
                v -> v.corrupt() || v.hang(), 9, 19, 29);
        assertTrue(verdicts.getLast().corrupt() || verdicts.getLast().hang(), "expected CORRUPT or HANG, got " + verdicts);
    }

    /**
     * Runs the weakened variant with each seed in turn until one run shows the hazard: a race is caught with
     * some probability per run (nearly always in the first here, but a loaded machine can keep the threads
     * out of step for a whole budget), and a weakening that never shows it in three runs fails the test.
     */
    private static List<StressJvm.Verdict> untilCaught(String weakening, String kind, Predicate<StressJvm.Verdict> caught,
            int... seeds) throws Exception {
        List<StressJvm.Verdict> verdicts = new ArrayList<>();
        for (int seed : seeds) {
            StressJvm.Verdict verdict = SyncStressRuns.run(weakening, kind, "threads", RACE_BUDGET_MILLIS, seed);
            verdicts.add(verdict);
            if (caught.test(verdict)) {
                break;
            }
        }
        return verdicts;
    }
}
