package org.multiprocessing4j.bench.env;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time of one HotSpot process, split by what its threads do: the JIT compilers, the garbage
 * collector, and everything else (the application's threads, spinning included). Read from
 * {@code /proc/<pid>/stat} (the whole process, exited threads included) and {@code /proc/<pid>/task/*}
 * (live threads, by the name HotSpot gives them). Thread-safe (stateless).
 *
 * <p>A compiler or GC thread that exits between two samples (HotSpot starts and stops compiler threads
 * as its queues grow and shrink) leaves its time in the process total only, so between two samples it
 * counts as "other": the JIT and GC figures are lower bounds.
 */
public final class ThreadCpu {

    private static final Path PROC = Path.of("/proc");

    /**
     * One reading of one process, in CPU seconds since it started.
     *
     * @param total   the whole process ({@code utime + stime})
     * @param jit     live threads named {@code C1 CompilerThre…} or {@code C2 CompilerThre…}
     * @param gc      live threads named {@code GC Thread…} or {@code G1 …}
     */
    public record Sample(double total, double jit, double gc) {

        /** What was spent between {@code earlier} and this sample, split as {@link Split}. */
        public Split since(Sample earlier) {
            double t = Math.max(0, total - earlier.total);
            double j = Math.max(0, jit - earlier.jit);
            double g = Math.max(0, gc - earlier.gc);
            return new Split(j, g, Math.max(0, t - j - g));
        }
    }

    /**
     * CPU seconds spent in an interval.
     *
     * @param jit   by the JIT compiler threads
     * @param gc    by the garbage collector's threads
     * @param other by every other thread
     */
    public record Split(double jit, double gc, double other) {
        /** No time at all. */
        public static final Split NONE = new Split(0, 0, 0);

        /** {@code jit + gc + other}. */
        public double total() {
            return jit + gc + other;
        }

        /** The sum of this split and {@code s}. */
        public Split plus(Split s) {
            return new Split(jit + s.jit, gc + s.gc, other + s.other);
        }

        /** As a JSON-ready map of milliseconds, in the order jit, gc, other. */
        public Map<String, Object> toMillis() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("jit_ms", Math.round(jit * 1e3));
            m.put("gc_ms", Math.round(gc * 1e3));
            m.put("other_ms", Math.round(other * 1e3));
            return m;
        }
    }

    /** What a HotSpot thread of this name does. */
    enum Kind { JIT, GC, OTHER }

    private ThreadCpu() {
    }

    /** Reads process {@code pid} now; empty if it has gone or {@code /proc} is unreadable. */
    public static Optional<Sample> read(long pid) {
        Path dir = PROC.resolve(Long.toString(pid));
        try {
            long total = ticks(Files.readString(dir.resolve("stat")));
            long jit = 0;
            long gc = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir.resolve("task"))) {
                for (Path task : tasks) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException gone) {
                        continue; // the thread exited while listing
                    }
                    switch (kind(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) {
                        case JIT -> jit += ticks(stat);
                        case GC -> gc += ticks(stat);
                        case OTHER -> { }
                    }
                }
            }
            double hz = CpuCounters.ticksPerSecond();
            return Optional.of(new Sample(total / hz, jit / hz, gc / hz));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** HotSpot's thread names, cut by the kernel to 15 characters. */
    static Kind kind(String threadName) {
        if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
            return Kind.JIT;
        }
        if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
            return Kind.GC;
        }
        return Kind.OTHER;
    }

    /** {@code utime + stime} of a {@code stat} line (fields 14 and 15 of proc(5); the name may hold spaces). */
    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
