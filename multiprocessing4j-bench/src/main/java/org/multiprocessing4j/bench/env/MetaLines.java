package org.multiprocessing4j.bench.env;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.multiprocessing4j.bench.Line;
import org.multiprocessing4j.bench.Repeat;

/**
 * Builds the bookkeeping lines, shaped like {@code mp_baseline.py}'s: {@code meta} first (JVM, flags,
 * CPUs, date, load), {@code meta_env} after each workload (CPUs kept busy by other processes while
 * it ran), {@code meta_end} last. Stateless and thread-safe.
 */
public final class MetaLines {

    private static final String[] VM_OPTIONS = {"MaxHeapSize", "UseSharedSpaces", "SharedArchiveFile", "AOTCache"};

    private MetaLines() {
    }

    /**
     * The {@code meta} line.
     *
     * @param quick whether sizes are the {@code --quick} ones
     * @param argv  the harness's own arguments
     */
    public static Line meta(boolean quick, List<String> argv) {
        String mode = quick ? "quick" : "full";
        Map<String, Object> m = head("meta", mode, null, null);
        m.put("java", Runtime.version().toString());
        m.put("implementation", "multiprocessing4j");
        m.put("vm", System.getProperty("java.vm.name") + " (" + System.getProperty("java.vm.vendor") + ")");
        m.put("vm_info", System.getProperty("java.vm.info")); // "mixed mode, sharing" = CDS archive in use
        m.put("platform", System.getProperty("os.name") + "-" + System.getProperty("os.version") + "-"
                + System.getProperty("os.arch"));
        m.put("cpu_count", Runtime.getRuntime().availableProcessors());
        m.put("jvm_flags", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("vm_options", vmOptions());
        m.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        m.put("mode", mode);
        m.put("quick", quick);
        m.put("argv", argv);
        m.put("clock", "System.nanoTime (CLOCK_MONOTONIC on Linux)");
        m.put("loadavg_start", loadAverage());
        m.put("date_utc", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("reps", Repeat.REPS);
        m.put("warmup", Repeat.warmups());
        return new Line(m);
    }

    /**
     * The {@code meta_env} line for a workload that ran between {@code start} and {@code end}: value =
     * CPUs kept busy by other processes = max(0, Δbusy − Δown) / elapsed, plus {@code elapsed_s},
     * {@code own_cpus} and {@code steal_cpus}, as {@code mp_baseline.py} computes them, and the harness's
     * wait for a quiet machine before the workload ({@code settle_s}, {@code settled_quiet}; see
     * {@link Quiescence}). With no counters (not Linux) the value is {@code null}.
     */
    public static Line metaEnv(String workload, Optional<CpuCounters.Sample> start, Optional<CpuCounters.Sample> end,
                               double elapsedSeconds, Quiescence.Outcome settled) {
        if (start.isEmpty() || end.isEmpty() || elapsedSeconds <= 0) {
            Map<String, Object> m = head("meta_env", workload, null, "cpus_busy_with_other_processes");
            m.put("elapsed_s", round(elapsedSeconds, 1));
            putSettled(m, settled);
            m.put("note", "no /proc/stat: CPU use of other processes unknown");
            return new Line(m);
        }
        CpuCounters.Sample a = start.get();
        CpuCounters.Sample b = end.get();
        double own = b.ownSeconds() - a.ownSeconds();
        double others = Math.max(0.0, (b.busySeconds() - a.busySeconds()) - own) / elapsedSeconds;
        Map<String, Object> m = head("meta_env", workload, round(others, 2), "cpus_busy_with_other_processes");
        m.put("elapsed_s", round(elapsedSeconds, 1));
        m.put("own_cpus", round(own / elapsedSeconds, 2));
        m.put("steal_cpus", round((b.stealSeconds() - a.stealSeconds()) / elapsedSeconds, 2));
        putSettled(m, settled);
        return new Line(m);
    }

    /** How long the harness waited for a quiet machine before the workload, and whether it got one. */
    private static void putSettled(Map<String, Object> m, Quiescence.Outcome settled) {
        m.put("settle_s", round(settled.waitedSeconds(), 1));
        m.put("settled_quiet", settled.quiet());
    }

    /** The {@code meta_end} line: total seconds, load average, and any descendant process still alive. */
    public static Line metaEnd(boolean quick, double elapsedSeconds) {
        Map<String, Object> m = head("meta_end", quick ? "quick" : "full", round(elapsedSeconds, 1), "s");
        m.put("loadavg_end", loadAverage());
        List<Object> left = new ArrayList<>();
        ProcessHandle.current().descendants().forEach(p -> {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("pid", p.pid());
            info.put("alive", p.isAlive());
            info.put("cmdline", p.info().commandLine().map(c -> c.length() > 160 ? c.substring(0, 160) : c).orElse(null));
            p.parent().ifPresent(pp -> info.put("ppid", pp.pid()));
            left.add(info);
        });
        m.put("helper_processes_at_end", left);
        return new Line(m);
    }

    private static Map<String, Object> head(String workload, String variant, Object value, String unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload);
        m.put("variant", variant);
        m.put("value", value);
        m.put("unit", unit);
        return m;
    }

    private static Map<String, Object> vmOptions() {
        Map<String, Object> m = new LinkedHashMap<>();
        HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String name : VM_OPTIONS) {
            try {
                m.put(name, hs == null ? null : hs.getVMOption(name).getValue());
            } catch (IllegalArgumentException absent) {
                // not a flag of this JVM version
            }
        }
        return m;
    }

    /** The three load averages as strings, as Python prints them; empty without {@code /proc/loadavg}. */
    private static List<String> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return Arrays.asList(f).subList(0, 3);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static double round(double x, int places) {
        double scale = Math.pow(10, places);
        return Math.round(x * scale) / scale;
    }
}
