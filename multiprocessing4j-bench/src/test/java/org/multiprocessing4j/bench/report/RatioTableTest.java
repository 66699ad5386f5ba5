package org.multiprocessing4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.bench.Line;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;

class RatioTableTest {

    @Test
    void aRatioAboveOneMeansJavaIsBetterForDurationsAndForRates() {
        assertEquals(4.0, Ratio.javaBetterBy("ms", 20, "ms", 80).getAsDouble());
        assertEquals(4.0, Ratio.javaBetterBy("tasks/s", 400, "tasks/s", 100).getAsDouble());
        assertEquals(2.0, Ratio.javaBetterBy("us/op", 1, "us/op", 2).getAsDouble());
        assertEquals(0.5, Ratio.javaBetterBy("x", 1, "x", 2).getAsDouble());
        assertTrue(Ratio.javaBetterBy("ms", 1, "us", 2).isEmpty(), "different units");
        assertTrue(Ratio.javaBetterBy("fact", 1, "fact", 2).isEmpty(), "not a performance unit");
    }

    @Test
    void aJavaVariantIsComparedWithTheCPythonVariantsItsWorkloadMapsItTo() {
        Line java = Result.of("process_start", "jvm/first_line", Stats.of(40, 40, 40), "ms", Map.of()).toLine();
        Line spawn = Result.of("process_start", "spawn/first_line", Stats.of(80), "ms", Map.of()).toLine();
        Line fork = Result.of("process_start", "fork/first_line", Stats.of(2), "ms", Map.of()).toLine();
        var out = new ByteArrayOutputStream();
        RatioTable.print(List.of(new RatioTable.JavaLine(java, Map.of("jvm/first_line", List.of("spawn/first_line")))),
                List.of(spawn, fork), new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.lines().anyMatch(l -> l.contains("jvm/first_line") && l.contains("spawn/first_line")
                && l.endsWith("2.00x")), table);
        assertTrue(table.lines().anyMatch(l -> l.contains("fork/first_line") && l.endsWith("-")), table);
    }

    @Test
    void aThreadPoolLineIsShownBesideTheProcessPoolLinesItIsTheTwinOf() {
        Line pool = Result.of("pool_map_trivial", "apply_async", Stats.of(20_000), "tasks/s", Map.of()).toLine();
        Line threads = Result.of("pool_map_trivial", "threads/apply_async", Stats.of(1_000_000), "tasks/s", Map.of()).toLine();
        Line spawn = Result.of("pool_lifecycle", "jvm-spawn/pool_create", Stats.of(4), "ms", Map.of()).toLine();
        Line threadCreate = Result.of("pool_lifecycle", "threads/pool_create", Stats.of(0.5), "ms", Map.of()).toLine();
        Line unrelated = Result.of("pool_lifecycle", "jvm-spawn/pool_close_join", Stats.of(9), "ms", Map.of()).toLine();
        var out = new ByteArrayOutputStream();
        RatioTable.print(List.of(new RatioTable.JavaLine(pool, Map.of()), new RatioTable.JavaLine(threads, Map.of()),
                        new RatioTable.JavaLine(spawn, Map.of()), new RatioTable.JavaLine(threadCreate, Map.of()),
                        new RatioTable.JavaLine(unrelated, Map.of())),
                List.of(), new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        String isolation = table.substring(table.indexOf("price of isolation"));
        assertTrue(isolation.lines().anyMatch(l -> l.startsWith("pool_map_trivial") && l.contains(" apply_async")
                && l.contains("threads/apply_async") && l.endsWith("50.00x")), table);
        assertTrue(isolation.lines().anyMatch(l -> l.contains("jvm-spawn/pool_create") && l.contains("threads/pool_create")
                && l.endsWith("8.00x")), table);
        assertTrue(isolation.lines().noneMatch(l -> l.contains("pool_close_join")), table);
    }

    @Test
    void theLoadTableShowsOtherProcessesAndStealForBothRuns() {
        Line pool = Result.of("pool_map_trivial", "apply_async", Stats.of(20_000), "tasks/s", Map.of()).toLine();
        Line javaEnv = new Line(Map.of("workload", "meta_env", "variant", "pool_map_trivial", "value", 0.02,
                "unit", "cpus_busy_with_other_processes", "steal_cpus", 0.46));
        Line cpythonEnv = new Line(Map.of("workload", "meta_env", "variant", "pool_map_trivial", "value", 0.11,
                "unit", "cpus_busy_with_other_processes", "steal_cpus", 0.07));
        Line oldJavaEnv = new Line(Map.of("workload", "meta_env", "variant", "lock", "value", 0.5,
                "unit", "cpus_busy_with_other_processes"));
        var out = new ByteArrayOutputStream();
        RatioTable.print(List.of(new RatioTable.JavaLine(pool, Map.of()), new RatioTable.JavaLine(javaEnv, Map.of()),
                        new RatioTable.JavaLine(oldJavaEnv, Map.of())),
                List.of(cpythonEnv), new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        String load = table.substring(table.indexOf("CPUs taken from each workload"));
        assertTrue(load.lines().anyMatch(l -> l.matches("pool_map_trivial +0\\.02 +0\\.46 +0\\.11 +0\\.07")), table);
        assertTrue(load.lines().anyMatch(l -> l.matches("lock +0\\.50 +- +- +-")), "no steal recorded: a dash\n" + table);
    }
}
