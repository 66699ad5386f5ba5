package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.FetchFanOut.Fetched;
import org.multiprocessing4j.examples.FetchFanOut.Report;

class FetchFanOutExampleTest extends ExampleTestBase {

    @Test
    void everyUrlIsFetchedOnceByAWorkerAndReportedWithItsStatusAndSize() throws Exception {
        int pages = 8;
        Report report = assertTimeoutPreemptively(HANG, () -> FetchFanOut.run(out, pages, 2));

        assertEquals(pages + 1, report.arrivals().size(), output());
        assertEquals(pages + 1, report.requestsServed(), "one request per URL");
        Map<String, Fetched> byPath = report.arrivals().stream()
                .collect(Collectors.toMap(f -> f.url().replaceFirst("^http://127\\.0\\.0\\.1:\\d+", ""), Function.identity()));
        for (int i = 0; i < pages; i++) {
            Fetched f = byPath.get("/page/" + i);
            assertEquals(200, f.status(), f.toString());
            assertEquals(FetchFanOut.pageBytes(i), f.bytes(), f.toString());
            assertEquals("page " + i, f.firstLine());
            assertNull(f.error());
            assertTrue(f.workerPid() != ProcessHandle.current().pid(), "fetched by a worker JVM");
        }
        Fetched missing = byPath.get(FetchFanOut.MISSING);
        assertEquals(404, missing.status(), "a 404 is reported as a result, not thrown");
        assertTrue(output().contains("(" + pages + " OK)"), output());
    }
}
