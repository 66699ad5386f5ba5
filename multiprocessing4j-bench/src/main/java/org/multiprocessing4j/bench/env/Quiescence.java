package org.multiprocessing4j.bench.env;

import java.time.Duration;
import java.util.Optional;

/**
 * Waits until the machine is quiet before a workload starts, so that what the previous one left running
 * does not run into it: this JVM's JIT still compiling that workload's code, its child JVMs exiting, a
 * collection of its garbage. On the 2-vCPU machine of DESIGN.md any of those takes half the machine from
 * the next workload's first repetitions, which are most of its median (5 repetitions after 1 warm-up).
 * Nothing inside a workload changes: its warm-up and repetitions are the README's.
 *
 * <p>Quiet: over one {@link #WINDOW} the whole machine (every process, {@code /proc/stat}) kept fewer than
 * {@link #QUIET_CPUS} CPUs busy. The wait ends when it is quiet or after the caller's limit, whichever comes
 * first; other users of the machine may keep it from ever being quiet. Thread-safe (stateless).
 */
public final class Quiescence {
    /** How long one look at the machine lasts. */
    static final Duration WINDOW = Duration.ofMillis(100);
    /** Busy CPUs (machine-wide average over a window) below which the machine counts as quiet. */
    static final double QUIET_CPUS = 0.15;

    /**
     * What a wait found.
     *
     * @param waitedSeconds how long it waited
     * @param quiet         whether the machine was quiet at the end (false: the limit came first, or no
     *                      {@code /proc} to read)
     * @param lastBusyCpus  the busy CPUs of the last window (NaN without {@code /proc})
     */
    public record Outcome(double waitedSeconds, boolean quiet, double lastBusyCpus) {
    }

    private Quiescence() {
    }

    /**
     * Waits until the machine is quiet, at most {@code limit}.
     *
     * @param limit the longest wait
     * @return what it found
     * @throws InterruptedException if interrupted while waiting
     */
    public static Outcome await(Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Optional<CpuCounters.Sample> previous = CpuCounters.read();
        double busy = Double.NaN;
        while (previous.isPresent()) {
            Thread.sleep(WINDOW);
            Optional<CpuCounters.Sample> now = CpuCounters.read();
            if (now.isEmpty()) {
                break;
            }
            double elapsed = (now.get().nanoTime() - previous.get().nanoTime()) / 1e9;
            busy = (now.get().busySeconds() - previous.get().busySeconds()) / elapsed;
            previous = now;
            if (busy < QUIET_CPUS) {
                return new Outcome((System.nanoTime() - start) / 1e9, true, busy);
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        return new Outcome((System.nanoTime() - start) / 1e9, false, busy);
    }
}
