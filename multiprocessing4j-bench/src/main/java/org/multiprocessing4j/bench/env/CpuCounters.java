package org.multiprocessing4j.bench.env;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Machine-wide and own CPU time, read the way {@code cpu_counters()} in {@code mp_baseline.py} reads
 * them: busy = user + nice + system + irq + softirq and steal from the first line of
 * {@code /proc/stat}; own = CPU time of this process tree.
 *
 * <p>"This process tree" is this JVM plus its live descendants ({@link ProcessHandle#descendants()}):
 * for each, {@code utime + stime + cutime + cstime} from {@code /proc/<pid>/stat}. The {@code c*}
 * fields hold the time of children already reaped, so a child that exits between two samples moves
 * from its own entry into its parent's and the total stays continuous. Python's figure is its own
 * process plus reaped children ({@code os.times()}), which misses helpers still running; this one
 * includes them. Thread-safe (stateless).
 */
public final class CpuCounters {

    private static final Path PROC = Path.of("/proc");
    private static final long CLOCK_TICKS = clockTicks();

    /**
     * One reading. Seconds are CPU seconds summed over all CPUs.
     *
     * @param busySeconds  machine-wide busy time (user, nice, system, irq, softirq)
     * @param stealSeconds machine-wide steal time
     * @param ownSeconds   this process tree's CPU time
     * @param nanoTime     {@link System#nanoTime()} when read
     */
    public record Sample(double busySeconds, double stealSeconds, double ownSeconds, long nanoTime) {
    }

    private CpuCounters() {
    }

    /** Reads the counters now, or returns empty if {@code /proc} is not there (not Linux) or unreadable. */
    public static Optional<Sample> read() {
        try {
            List<String> stat = Files.readAllLines(PROC.resolve("stat"));
            String[] f = stat.getFirst().trim().split("\\s+"); // "cpu user nice system idle iowait irq softirq steal ..."
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                    + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            long steal = Long.parseLong(f[8]);
            long own = ownTicks(ProcessHandle.current());
            for (ProcessHandle d : ProcessHandle.current().descendants().toList()) {
                own += ownTicks(d);
            }
            return Optional.of(new Sample((double) busy / CLOCK_TICKS, (double) steal / CLOCK_TICKS,
                    (double) own / CLOCK_TICKS, System.nanoTime()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** utime + stime + cutime + cstime of one process, in clock ticks; 0 if it has gone. */
    private static long ownTicks(ProcessHandle p) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(p.pid())).resolve("stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3,
            // utime 14, stime 15, cutime 16, cstime 17 (proc(5)).
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0; // exited between listing and reading: its time is in its parent's cutime/cstime once reaped
        }
    }

    /** Clock ticks per second of the CPU times in {@code /proc} ({@code sysconf(_SC_CLK_TCK)}). */
    static long ticksPerSecond() {
        return CLOCK_TICKS;
    }

    /** {@code sysconf(_SC_CLK_TCK)}, as Python's {@code os.sysconf('SC_CLK_TCK')}; 100 (Linux's USER_HZ) if unavailable. */
    @SuppressWarnings("restricted") // downcall to libc; the bench JVM runs with --enable-native-access
    private static long clockTicks() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle sysconf = linker.downcallHandle(linker.defaultLookup().find("sysconf").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            long ticks = (long) sysconf.invokeExact(2); // _SC_CLK_TCK = 2 in glibc and musl
            return ticks > 0 ? ticks : 100;
        } catch (Throwable t) {
            return 100;
        }
    }
}
