package org.multiprocessing4j.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Line;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code sync_pingpong} and {@code value_array} run end to end in {@code --quick} mode with a real child JVM
 * (a few seconds): every line is printed with a positive figure, in CPython's names and units, and no child
 * process outlives the workload. {@code value_array} checks each repetition's sum against n(n−1)/2 + r·n, so
 * a lost or torn write fails the run. {@code lock} (about 12 s in {@code --quick} mode) is left to the harness.
 */
class SyncWorkloadsQuickTest {

    @AfterEach
    void noChildProcessIsLeft() {
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
            assertTrue(!h.isAlive(), "child process " + h.pid() + " outlived its workload: " + h.info().commandLine().orElse(""));
        }
    }

    @Test
    @Timeout(120)
    void syncPingpongPrintsTheSemaphoreLineAndItsThreadTwin() throws Exception {
        assertVariants(run(new SyncPingpong()), "sync_pingpong", List.of("semaphore", "threads/semaphore"), List.of("us", "us"));
    }

    @Test
    @Timeout(120)
    void valueArrayPrintsRatesAndTimesOfBothVariants() throws Exception {
        assertVariants(run(new ValueArray()), "value_array",
                List.of("rawarray_elementwise/MBps", "rawarray_elementwise/time", "synchronized_slice/MBps", "synchronized_slice/time",
                        "jvm-segment/synchronized_slice/MBps", "jvm-segment/synchronized_slice/time"),
                List.of("MB/s", "ms", "MB/s", "ms", "MB/s", "ms"));
    }

    private static List<Line> run(Workload w) throws Exception {
        List<Line> lines = new ArrayList<>();
        w.run(new BenchContext(w.name(), true, lines::add));
        return lines;
    }

    private static void assertVariants(List<Line> lines, String workload, List<String> variants, List<String> units) {
        List<Line> mine = lines.stream().filter(l -> l.workload().equals(workload)).toList();
        assertEquals(variants, mine.stream().map(Line::variant).toList());
        assertEquals(units, mine.stream().map(Line::unit).toList());
        for (Line l : mine) {
            assertTrue(l.number().isPresent() && l.number().getAsDouble() > 0, "no positive figure: " + l.fields());
            assertEquals(5, ((Number) l.fields().get("reps")).intValue(), l.variant());
        }
    }
}
