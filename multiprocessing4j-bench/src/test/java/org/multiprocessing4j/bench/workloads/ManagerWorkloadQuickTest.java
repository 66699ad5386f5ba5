package org.multiprocessing4j.bench.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Line;

/**
 * {@code manager} runs end to end in {@code --quick} mode (about 20 s on a busy machine: twelve manager JVMs,
 * six of them prestarted standbys, and three child JVMs): CPython's lines in its names, units and params, and the
 * JVM-only {@code jvm-prestarted/}, {@code remote-tcp/} and {@code threads/} lines, each with a positive figure
 * over 5 repetitions; and no child process (a manager JVM or a standby included) outlives the workload. The workload fails the run if the last value a child read is not N/2 − 1, so a lost
 * or stale set fails here.
 */
class ManagerWorkloadQuickTest {

    @AfterEach
    void noChildProcessIsLeft() {
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
            assertTrue(!h.isAlive(), "child process " + h.pid() + " outlived its workload: " + h.info().commandLine().orElse(""));
        }
    }

    @Test
    @Timeout(180)
    void printsCPythonsLinesAndTheJvmOnlyOnes() throws Exception {
        ManagerWorkload w = new ManagerWorkload();
        List<Line> lines = new ArrayList<>();
        w.run(new BenchContext(w.name(), true, lines::add));

        assertEquals(List.of("start", "shutdown", "jvm-prestarted/start", "jvm-prestarted/shutdown", "dict_set_get", "queue_put_get",
                "remote-tcp/dict_set_get", "threads/dict_set_get"), lines.stream().map(Line::variant).toList());
        assertEquals(List.of("ms", "ms", "ms", "ms", "us/op", "us/op", "us/op", "us/op"), lines.stream().map(Line::unit).toList());
        for (Line l : lines) {
            assertEquals("manager", l.workload());
            assertTrue(l.number().isPresent() && l.number().getAsDouble() > 0, "no positive figure: " + l.fields());
            assertEquals(5, ((Number) l.fields().get("reps")).intValue(), l.variant());
            double min = ((Number) l.fields().get("min")).doubleValue();
            double max = ((Number) l.fields().get("max")).doubleValue();
            assertTrue(min <= l.number().getAsDouble() && l.number().getAsDouble() <= max, "median outside [min, max]: " + l.fields());
        }
        assertEquals(Map.of(), lines.get(0).fields().get("params"));
        Map<?, ?> dict = (Map<?, ?>) lines.get(4).fields().get("params");
        assertEquals(1000, ((Number) dict.get("ops_per_rep")).intValue());
        assertEquals("child process", dict.get("caller"));
        assertEquals(List.of("dict_set_get"), w.comparesTo().get("remote-tcp/dict_set_get"));
        assertEquals(List.of("dict_set_get"), w.comparesTo().get("threads/dict_set_get"));
        assertEquals(List.of("start"), w.comparesTo().get("jvm-prestarted/start"));
    }
}
