package org.multiprocessing4j.bench;

import java.util.List;
import java.util.Map;

/**
 * A named workload of {@code shared/bench/python/README.md} (or a JVM-only one), run once per
 * harness run. It emits one or more lines through {@link BenchContext#emit(Result)}, normally built
 * with {@link Repeat} (1 warm-up discarded, 5 measured, value = median) and {@link Stats}.
 *
 * <p>Contract: {@link #run} does its own setup and cleanup (no child process may outlive it), keeps
 * setup out of timed regions, uses {@link BenchContext#size(int, int)} for every size so that
 * {@code --quick} works, and throws on failure (the harness then prints an {@code error} line and goes on).
 * Instances must be cheap to create: the registry builds them all up front.
 */
public interface Workload {

    /** The workload name, the same as in {@code mp_baseline.py} when CPython has it, e.g. {@code process_start}. */
    String name();

    /** Runs the workload, emitting its lines as they are measured. Called on the main thread. */
    void run(BenchContext ctx) throws Exception;

    /**
     * Which CPython variants each Java variant is compared with, within the line's own workload, e.g.
     * {@code "jvm/first_line" -> ["spawn/first_line", "forkserver/first_line"]}. A variant not listed is
     * compared with the CPython variant of the same name. Default: no mapping.
     */
    default Map<String, List<String>> comparesTo() {
        return Map.of();
    }
}
