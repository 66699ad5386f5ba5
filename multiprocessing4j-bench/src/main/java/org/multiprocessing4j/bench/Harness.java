package org.multiprocessing4j.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.bench.env.CpuCounters;
import org.multiprocessing4j.bench.env.MetaLines;
import org.multiprocessing4j.bench.env.Quiescence;
import org.multiprocessing4j.bench.report.RatioTable;

/**
 * Runs Java workloads one after another as {@code mp_baseline.py} runs its own: a {@code meta} line,
 * then per workload its lines and a {@code meta_env} line, then {@code meta_end}. A workload that
 * throws gets an {@code error} line (as in the Python script) and the run goes on. Single-threaded.
 */
final class Harness {

    private final JsonLines out;
    private final boolean quick;
    private boolean failed;

    /** The longest wait for a quiet machine before a workload. */
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(5);

    /**
     * @param out   where lines go
     * @param quick whether {@code --quick} sizes apply
     */
    Harness(JsonLines out, boolean quick) {
        this.out = out;
        this.quick = quick;
    }

    /** Runs {@code workloads} in order and returns every line printed, with its workload's variant mapping. */
    List<RatioTable.JavaLine> run(List<Workload> workloads, List<String> argv) {
        List<RatioTable.JavaLine> lines = new ArrayList<>();
        long tAll = System.nanoTime();
        print(MetaLines.meta(quick, argv), Map.of(), lines);
        // NOTE: setup, never timed: the AOT cache that child JVMs boot from is built now (once per build of
        // the jars). Otherwise its training child (a JVM of this process tree, so not in meta_env's count of
        // other processes) runs beside the first workloads and takes a CPU from them.
        long tPrepare = System.nanoTime();
        Multiprocessing.defaultContext().prestart();
        System.err.printf("[%6.1fs] default context prepared (AOT cache for child JVMs) in %.1fs%n", seconds(tAll), seconds(tPrepare));
        for (Workload w : workloads) {
            Quiescence.Outcome settled = settle();
            System.err.printf("[%6.1fs] %s ... (after %.1fs for the machine to be %s)%n", seconds(tAll), w.name(),
                    settled.waitedSeconds(), settled.quiet() ? "quiet" : "quiet, in vain");
            long t0 = System.nanoTime();
            Optional<CpuCounters.Sample> c0 = CpuCounters.read();
            try {
                w.run(new BenchContext(w.name(), quick, line -> print(line, w.comparesTo(), lines)));
            } catch (Throwable e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                failed = true;
                print(errorLine(w.name(), e), Map.of(), lines);
                if (e instanceof VirtualMachineError) throw (Error) e;
            }
            Optional<CpuCounters.Sample> c1 = CpuCounters.read();
            double elapsed = seconds(t0);
            Line env = MetaLines.metaEnv(w.name(), c0, c1, elapsed, settled);
            print(env, Map.of(), lines);
            System.err.printf("[%6.1fs] %s done in %.1fs (other processes kept %s CPUs busy)%n",
                    seconds(tAll), w.name(), elapsed, env.value());
            if (Thread.currentThread().isInterrupted()) break;
        }
        print(MetaLines.metaEnd(quick, seconds(tAll)), Map.of(), lines);
        return lines;
    }

    /**
     * Waits up to {@link #SETTLE_LIMIT} for the machine to be quiet before a workload (see {@link Quiescence}).
     */
    private static Quiescence.Outcome settle() {
        try {
            return Quiescence.await(SETTLE_LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Quiescence.Outcome(0, false, Double.NaN);
        }
    }

    /** True if a workload threw. */
    boolean failed() {
        return failed;
    }

    private void print(Line line, Map<String, List<String>> comparesTo, List<RatioTable.JavaLine> lines) {
        out.write(line);
        lines.add(new RatioTable.JavaLine(line, comparesTo));
    }

    private static Line errorLine(String workload, Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String t = trace.toString();
        String message = String.valueOf(e.getMessage());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload);
        m.put("variant", "error");
        m.put("value", null);
        m.put("unit", null);
        m.put("error", e.getClass().getName() + ": " + (message.length() > 300 ? message.substring(0, 300) : message));
        m.put("traceback", t.length() > 1500 ? t.substring(0, 1500) : t); // head: a Java trace starts with the cause
        return new Line(m);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
