package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.ExecutorComposition.Report;

class ExecutorCompositionExampleTest extends ExampleTestBase {

    @Test
    void combinedGatheredAndComposedResultsAgreeWithAComputationHereAndTheFailureIsRecovered() throws Exception {
        int limit = 300_000;
        Report report = assertTimeoutPreemptively(HANG, () -> ExecutorComposition.run(out, limit, 2));

        long expected = Primes.count(0, limit);
        assertEquals(expected, report.primesBelowLimit(), "thenCombine of the two halves");
        assertEquals(8, report.blockCounts().size());
        assertEquals(expected, report.blockCounts().stream().mapToLong(Long::longValue).sum(), "allOf of the eight blocks");
        int largest = (int) report.largestPrimeBelowLimit();
        assertTrue(largest < limit && Primes.count(largest, largest + 1) == 1 && Primes.count(largest + 1, limit) == 0,
                "thenCompose gave the largest prime below the limit: " + largest);
        assertEquals("recovered from NumberFormatException: For input string: \"forty-two\"", report.recovered());
        assertEquals(1, report.stats().tasksFailed(), "only the parse task failed");
        assertEquals(2 + 8 + 1, report.stats().tasksCompleted());
    }
}
