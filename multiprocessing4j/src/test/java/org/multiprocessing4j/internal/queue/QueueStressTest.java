package org.multiprocessing4j.internal.queue;

import org.multiprocessing4j.internal.StressJvm;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * Long stress runs of the queue's publication and futex protocol ({@link QueueStress} in fresh JVMs, with
 * the bounded futex slices that would hide a lost wake-up switched off), and the proof that they catch
 * each weakened variant. Tagged {@code stress}: {@code ./mvnw -Pstress -pl multiprocessing4j test}.
 * multiprocessing4j/STRESS.md says which hazard each guards and what this machine showed.
 */
@Tag("stress")
class QueueStressTest extends ChildProcessTestBase {
    private static final long LONG_RUN_MILLIS = 15_000;
    private static final long RACE_BUDGET_MILLIS = 30_000;

    /**
     * Hazards: a torn, reordered, lost or repeated message across wrap-around and PAD records with two
     * producers and two consumers; lost wake-ups on the data and space futexes and on the two locks.
     */
    @Test
    void two_producer_and_two_consumer_threads_move_every_message_once_in_order_and_whole() throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net", "threads", LONG_RUN_MILLIS, 21);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** The same hazards with the producers in another JVM: two mappings, the futexes keyed by the file page. */
    @Test
    void producers_in_another_JVM_move_every_message_once_in_order_and_whole() throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net", "processes", LONG_RUN_MILLIS, 22);
        assertTrue(verdict.ok(), verdict.toString());
    }

    /** Hazard: the classic lost-wake race, a publication between the sleeper's last check and its waiting bit. */
    @Test
    void the_stress_run_hangs_when_a_sleeper_does_not_recheck_after_setting_the_waiting_bit() throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net,no-recheck", "threads", RACE_BUDGET_MILLIS, 23);
        assertTrue(verdict.hang(), "expected HANG within " + RACE_BUDGET_MILLIS + " ms, got " + verdict);
    }

    /** Hazard: a record published (the tail moved) before its bytes are written: a consumer reads it torn. */
    @Test
    void the_stress_run_across_JVMs_sees_torn_messages_when_the_tail_moves_before_the_record_is_written()
            throws Exception {
        StressJvm.Verdict verdict = QueueStressRuns.run("no-safety-net,publish-first", "processes", RACE_BUDGET_MILLIS, 24);
        assertTrue(verdict.corrupt(), "expected CORRUPT within " + RACE_BUDGET_MILLIS + " ms, got " + verdict);
    }
}
