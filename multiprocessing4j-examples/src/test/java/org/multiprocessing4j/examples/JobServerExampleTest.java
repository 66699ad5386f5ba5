package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.JobServer.Outcome;
import org.multiprocessing4j.examples.JobServer.Report;

class JobServerExampleTest extends ExampleTestBase {

    @Test
    void workersInOtherJvmsTakeEveryJobFromTheServersQueueOnceAndPutEveryResultInItsMap() throws Exception {
        int jobs = 30;
        Report report = assertTimeoutPreemptively(HANG, () -> JobServer.run(out, jobs, 2));

        assertTrue(report.port() > 0, "the server bound a real port: " + report.port());
        assertEquals(jobs, report.results().size(), output());
        for (int j = 0; j < jobs; j++) {
            Outcome o = report.results().get("job-" + j);
            assertEquals(JobServer.numberOf("job-" + j), o.n(), "job-" + j);
            long p = o.largestPrimeFactor();
            assertEquals(0, o.n() % p, o + ": divides n");
            assertTrue(BigInteger.valueOf(p).isProbablePrime(40), o + ": a prime");
            long rest = o.n() / p;
            assertTrue(rest == 1 || JobServer.largestPrimeFactor(rest) <= p, o + ": the largest one");
            assertTrue(Set.of("worker-1", "worker-2").contains(o.worker()), "computed by a worker JVM: " + o.worker());
        }
        assertEquals(Map.of("worker-1", 0, "worker-2", 0), report.exitCodes(),
                "every worker stopped at its sentinel and exited normally");
    }
}
