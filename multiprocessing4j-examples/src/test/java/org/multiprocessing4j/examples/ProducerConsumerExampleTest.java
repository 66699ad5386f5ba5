package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.ProducerConsumer.Done;
import org.multiprocessing4j.examples.ProducerConsumer.Report;

class ProducerConsumerExampleTest extends ExampleTestBase {

    @Test
    void everyJobOfEveryProducerIsDoneExactlyOnceAndEveryProcessExitsCleanly() throws Exception {
        int producers = 2;
        int perProducer = 30; // more than the queue's maxsize of 8, so producers wait for room
        Report report = assertTimeoutPreemptively(HANG, () -> ProducerConsumer.run(out, producers, 2, perProducer));

        assertEquals(producers * perProducer, report.results().size(), output());
        Set<String> seen = new HashSet<>();
        for (Done d : report.results()) {
            assertTrue(seen.add(d.job().producer() + "/" + d.job().seq()), "job done twice: " + d);
            assertEquals(ProducerConsumer.startOf(d.job().producer(), d.job().seq()), d.job().n());
            assertEquals(ProducerConsumer.collatzSteps(d.job().n()), d.steps(), d.toString());
            assertTrue(d.consumer().startsWith("consumer-"), "computed by a consumer process: " + d.consumer());
        }
        assertEquals(Map.of("producer-1", 0, "producer-2", 0, "consumer-1", 0, "consumer-2", 0), report.exitCodes(),
                "every child ran to its end; consumers stopped at their sentinel");
        assertTrue(output().contains("All jobs are done"), output());
    }
}
