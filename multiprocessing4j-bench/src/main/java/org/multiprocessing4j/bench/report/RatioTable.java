package org.multiprocessing4j.bench.report;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.multiprocessing4j.bench.Line;

/**
 * Prints the side-by-side table: one row per Java line and matching CPython line (see
 * {@link org.multiprocessing4j.bench.Workload#comparesTo()}), then the CPython lines no Java line
 * matched, grouped by workload; then, if any Java line's variant starts with {@value #THREADS}, the price
 * of isolation: each such thread-pool line next to the process-pool lines of the same workload whose
 * variant is the rest of its name, or ends with {@code "/"} + the rest ({@code threads/pool_create} pairs
 * with {@code jvm-spawn/pool_create}); then each side's {@code meta_env} figure per workload. Stateless.
 */
public final class RatioTable {

    /**
     * A Java line with the variant mapping of the workload that emitted it.
     *
     * @param line       the line
     * @param comparesTo Java variant to CPython variants; unlisted variants match the same name
     */
    public record JavaLine(Line line, Map<String, List<String>> comparesTo) {
    }

    /** The variant prefix of the lines a thread pool produced in the same run as the process pool's. */
    public static final String THREADS = "threads/";

    private record Row(Line java, Line cpython, OptionalDouble ratio) {
    }

    private RatioTable() {
    }

    /** Prints the table for {@code java} and {@code cpython} lines to {@code out}. */
    public static void print(List<JavaLine> java, List<Line> cpython, PrintStream out) {
        Map<String, List<Row>> byWorkload = new LinkedHashMap<>();
        Set<Line> matched = Collections.newSetFromMap(new IdentityHashMap<>());
        for (JavaLine j : java) {
            Line jl = j.line();
            if (jl.isMeta()) continue;
            List<Row> rows = byWorkload.computeIfAbsent(jl.workload(), k -> new ArrayList<>());
            boolean any = false;
            for (String target : j.comparesTo().getOrDefault(jl.variant(), List.of(jl.variant()))) {
                for (Line c : cpython) {
                    if (c.isMeta() || !c.workload().equals(jl.workload()) || !c.variant().equals(target)) continue;
                    rows.add(new Row(jl, c, ratio(jl, c)));
                    matched.add(c);
                    any = true;
                }
            }
            if (!any) rows.add(new Row(jl, null, OptionalDouble.empty()));
        }
        for (Line c : cpython) {
            if (c.isMeta() || matched.contains(c)) continue;
            byWorkload.computeIfAbsent(c.workload(), k -> new ArrayList<>()).add(new Row(null, c, OptionalDouble.empty()));
        }

        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "java variant", "java", "cpython variant", "cpython", "java better by"});
        byWorkload.forEach((workload, rows) -> {
            for (Row r : rows) {
                cells.add(new String[] {workload,
                        r.java() == null ? "-" : r.java().variant(), figure(r.java()),
                        r.cpython() == null ? "-" : r.cpython().variant(), figure(r.cpython()),
                        r.ratio().isPresent() ? String.format(Locale.ROOT, "%.2fx", r.ratio().getAsDouble()) : "-"});
            }
        });
        out.println();
        out.println("Java vs CPython (ratio > 1: Java better; durations cpython/java, rates java/cpython)");
        printAligned(cells, out);
        printIsolation(java.stream().map(JavaLine::line).toList(), out);
        printLoad(java.stream().map(JavaLine::line).toList(), cpython, out);
        out.flush();
    }

    private static OptionalDouble ratio(Line java, Line cpython) {
        if (java.number().isEmpty() || cpython.number().isEmpty()) return OptionalDouble.empty();
        return Ratio.javaBetterBy(java.unit(), java.number().getAsDouble(), cpython.unit(), cpython.number().getAsDouble());
    }

    /** Thread-pool lines next to their process-pool twins, with how many times better the threads are. */
    private static void printIsolation(List<Line> java, PrintStream out) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "process pool variant", "processes", "thread pool variant", "threads", "threads better by"});
        for (Line t : java) {
            if (t.isMeta() || !t.variant().startsWith(THREADS)) continue;
            String rest = t.variant().substring(THREADS.length());
            for (Line p : java) {
                if (p.isMeta() || !p.workload().equals(t.workload()) || p.variant().startsWith(THREADS)
                        || !(p.variant().equals(rest) || p.variant().endsWith("/" + rest))) {
                    continue;
                }
                OptionalDouble r = t.number().isPresent() && p.number().isPresent()
                        ? Ratio.javaBetterBy(t.unit(), t.number().getAsDouble(), p.unit(), p.number().getAsDouble())
                        : OptionalDouble.empty();
                cells.add(new String[] {t.workload(), p.variant(), figure(p), t.variant(), figure(t),
                        r.isPresent() ? String.format(Locale.ROOT, "%.2fx", r.getAsDouble()) : "-"});
            }
        }
        if (cells.size() == 1) return;
        out.println();
        out.println("Process pool vs thread pool in the same run: the price of isolation (ratio > 1: threads better)");
        printAligned(cells, out);
    }

    private static void printLoad(List<Line> java, List<Line> cpython, PrintStream out) {
        Map<String, String[]> load = new LinkedHashMap<>();
        for (Line l : java) {
            if (l.workload().equals("meta_env")) {
                String[] row = load.computeIfAbsent(l.variant(), k -> new String[] {"-", "-", "-", "-"});
                row[0] = cpus(l);
                row[1] = steal(l);
            }
        }
        for (Line l : cpython) {
            if (l.workload().equals("meta_env")) {
                String[] row = load.computeIfAbsent(l.variant(), k -> new String[] {"-", "-", "-", "-"});
                row[2] = cpus(l);
                row[3] = steal(l);
            }
        }
        if (load.isEmpty()) return;
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "java: other processes", "java: steal", "cpython: other processes", "cpython: steal"});
        load.forEach((w, v) -> cells.add(new String[] {w, v[0], v[1], v[2], v[3]}));
        out.println();
        out.println("CPUs taken from each workload while it ran (meta_env): by other processes on this machine, and by the");
        out.println("hypervisor (steal: CPU time the host gave to other guests). Compare runs with similar figures.");
        printAligned(cells, out);
    }

    private static String cpus(Line metaEnv) {
        return metaEnv.number().isPresent() ? String.format(Locale.ROOT, "%.2f", metaEnv.number().getAsDouble()) : "?";
    }

    private static String steal(Line metaEnv) {
        return metaEnv.fields().get("steal_cpus") instanceof Number n ? String.format(Locale.ROOT, "%.2f", n.doubleValue()) : "-";
    }

    /** Value and unit, 4 significant digits below 1000, whole numbers with separators above. */
    static String figure(Line l) {
        if (l == null) return "-";
        if (l.number().isEmpty()) {
            Object v = l.value();
            String s = v == null ? (l.variant().equals("error") ? "error" : "null") : v.toString();
            return s.length() > 24 ? s.substring(0, 23) + "…" : s;
        }
        double v = l.number().getAsDouble();
        String num;
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            num = Double.toString(v);
        } else if (Math.abs(v) >= 1000) {
            num = String.format(Locale.ROOT, "%,.0f", v);
        } else {
            num = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return l.unit().isEmpty() ? num : num + " " + l.unit();
    }

    private static void printAligned(List<String[]> cells, PrintStream out) {
        int[] width = new int[cells.getFirst().length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        }
        for (String[] row : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = row.length == 5 ? i > 0 : i == 2 || i == 4 || i == 5;
                String pad = " ".repeat(width[i] - row[i].length());
                sb.append(numeric ? pad + row[i] : row[i] + pad).append(i + 1 < row.length ? "  " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
