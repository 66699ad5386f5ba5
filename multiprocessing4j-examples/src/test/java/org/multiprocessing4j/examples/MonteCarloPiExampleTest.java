package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.MonteCarloPi.Result;

class MonteCarloPiExampleTest extends ExampleTestBase {

    @Test
    void everyBatchOfEveryProcessIsCountedOnceSoTheSharedCountsMatchASingleProcessRun() throws Exception {
        int processes = 2;
        long samples = 3_000_000; // 12 batches per process: 24 locked updates that must all be kept
        Result result = assertTimeoutPreemptively(HANG, () -> MonteCarloPi.run(out, processes, samples));

        long expectedHits = 0;
        for (int i = 0; i < processes; i++) {
            expectedHits += MonteCarloPi.countInside(new SplittableRandom(MonteCarloPi.seedOf(i)), samples);
        }
        assertEquals(processes * samples, result.thrown(), "no lost update of the thrown count");
        assertEquals(expectedHits, result.hits(), "no lost update of the hit count");
        assertEquals(Math.PI, result.pi(), 0.01);
        assertEquals(List.of(0, 0), result.exitCodes());
    }
}
