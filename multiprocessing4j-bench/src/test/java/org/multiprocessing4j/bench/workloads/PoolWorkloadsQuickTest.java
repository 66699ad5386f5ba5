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
import org.multiprocessing4j.bench.Workload;

/**
 * The cheaper pool workloads run end to end in {@code --quick} mode with real worker JVMs (about 10 s on a
 * quiet 2-core machine): every line the README defines is printed with a positive figure, beside its
 * {@code threads/} twin, and no child process outlives the workload. The sums each workload checks make a
 * wrong result fail the run. {@code pool_map_trivial} and {@code pool_lifecycle} are left to the harness
 * ({@code --quick} takes 15–20 s each). {@code pool_faults} and {@code cold_start} run here too.
 */
class PoolWorkloadsQuickTest {

    @AfterEach
    void noChildProcessIsLeft() throws InterruptedException {
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
            assertTrue(!h.isAlive(), "child process " + h.pid() + " outlived its workload: " + h.info().commandLine().orElse(""));
        }
    }

    @Test
    @Timeout(120)
    void poolMapPayloadPrintsItsLineAndItsThreadTwin() throws Exception {
        assertVariants(run(new PoolMapPayload()), "pool_map_payload", List.of("map_1MiB_args", "threads/map_1MiB_args"), "MB/s");
    }

    @Test
    @Timeout(120)
    void poolMapCpuPrintsTheCpuAndSpinLinesAndTheirThreadTwins() throws Exception {
        List<Line> lines = run(new PoolMapCpu());
        assertVariants(lines, "pool_map_cpu", List.of("serial_in_parent", "pool1", "pool2", "speedup_pool2_vs_pool1",
                "speedup_pool2_vs_serial", "per_task_serial", "threads/pool1", "threads/pool2",
                "threads/speedup_pool2_vs_pool1", "threads/speedup_pool2_vs_serial"), null);
        assertVariants(lines, "pool_map_spin", List.of("pool1", "pool2", "speedup_pool2_vs_pool1", "efficiency_pool1",
                "efficiency_pool2", "threads/pool1", "threads/pool2", "threads/speedup_pool2_vs_pool1",
                "threads/efficiency_pool1", "threads/efficiency_pool2"), null);
    }

    @Test
    @Timeout(120)
    void executorPrintsSubmitAndMapAndTheirThreadTwins() throws Exception {
        assertVariants(run(new ExecutorThroughput()), "executor",
                List.of("submit", "threads/submit", "map_chunksize_1000", "threads/map_chunksize_1000"), "tasks/s");
    }

    @Test
    @Timeout(180)
    void poolFaultsTimesEachFaultUntilItReachesTheCaller() throws Exception {
        List<Line> lines = run(new PoolFaults());
        assertEquals(List.of("sigkill_to_WorkerDiedException", "System_exit_submit_to_WorkerDiedException",
                "out_of_heap_submit_to_WorkerDiedException", "task_timeout_overshoot", "terminate_with_2_running_tasks"),
                lines.stream().map(Line::variant).toList());
        for (Line l : lines) {
            double ms = l.number().orElseThrow();
            assertTrue(l.variant().equals("task_timeout_overshoot") ? ms >= 0 : ms > 0, "no figure: " + l.fields());
            assertEquals("ms", l.unit());
            assertEquals(5, ((Number) l.fields().get("reps")).intValue(), l.variant());
        }
    }

    @Test
    @Timeout(120)
    void coldStartSplitsEachRepetitionsCpuAndPrintsRatesAndJitShares() throws Exception {
        List<Line> lines = run(new ColdStart());
        List<String> variants = lines.stream().map(Line::variant).toList();
        assertEquals(List.of("map_chunksize_1/reps1-5", "map_chunksize_1/reps6-9", "map_chunksize_1/jit_share_reps1-5",
                "map_chunksize_1/jit_share_reps6-9", "queue/reps1-5", "queue/reps6-9", "queue/jit_share_reps1-5",
                "queue/jit_share_reps6-9"), variants);
        for (Line l : lines) {
            double v = l.number().orElseThrow();
            if (l.variant().contains("jit_share")) {
                assertTrue(v >= 0 && v <= 1, "a share is a fraction: " + l.fields());
            } else {
                assertTrue(v > 0, "no positive rate: " + l.fields());
            }
        }
        Map<?, ?> params = (Map<?, ?>) lines.getFirst().fields().get("params");
        assertEquals(2, ((Number) params.get("children")).intValue(), "both pool workers were found and read");
        List<?> perRep = (List<?>) params.get("per_rep");
        assertEquals(ColdStart.REPS, perRep.size());
        Map<?, ?> firstRep = (Map<?, ?>) perRep.getFirst();
        long childCpuMs = 0;
        for (Object v : ((Map<?, ?>) firstRep.get("children")).values()) {
            childCpuMs += ((Number) v).longValue();
        }
        assertTrue(childCpuMs > 0, "the workers' CPU of the first repetition was read: " + firstRep);
    }

    private static List<Line> run(Workload w) throws Exception {
        List<Line> lines = new ArrayList<>();
        w.run(new BenchContext(w.name(), true, lines::add));
        return lines;
    }

    private static void assertVariants(List<Line> lines, String workload, List<String> variants, String unit) {
        List<Line> mine = lines.stream().filter(l -> l.workload().equals(workload)).toList();
        assertEquals(variants, mine.stream().map(Line::variant).toList());
        for (Line l : mine) {
            assertTrue(l.number().isPresent() && l.number().getAsDouble() > 0, "no positive figure: " + l.fields());
            assertEquals(5, ((Number) l.fields().get("reps")).intValue(), l.variant());
            if (unit != null) assertEquals(unit, l.unit(), l.variant());
        }
    }
}
