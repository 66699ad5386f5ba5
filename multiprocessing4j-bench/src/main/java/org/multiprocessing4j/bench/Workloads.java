package org.multiprocessing4j.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.multiprocessing4j.bench.workloads.LockWorkload;
import org.multiprocessing4j.bench.workloads.ManagerWorkload;
import org.multiprocessing4j.bench.workloads.NoopProbe;
import org.multiprocessing4j.bench.workloads.PipePingpong;
import org.multiprocessing4j.bench.workloads.PipeThroughput;
import org.multiprocessing4j.bench.workloads.ColdStart;
import org.multiprocessing4j.bench.workloads.ExecutorThroughput;
import org.multiprocessing4j.bench.workloads.PoolFaults;
import org.multiprocessing4j.bench.workloads.PoolLifecycle;
import org.multiprocessing4j.bench.workloads.PoolMapCpu;
import org.multiprocessing4j.bench.workloads.PoolMapPayload;
import org.multiprocessing4j.bench.workloads.PoolMapTrivial;
import org.multiprocessing4j.bench.workloads.ProcessStart;
import org.multiprocessing4j.bench.workloads.QueueThroughput;
import org.multiprocessing4j.bench.workloads.SyncPingpong;
import org.multiprocessing4j.bench.workloads.ValueArray;

/**
 * The registry of Java workloads, in run order (the README's order). Adding a workload is one line
 * in {@link #ALL}. Immutable and thread-safe.
 */
public final class Workloads {

    private static final List<Workload> ALL = List.of(
            new NoopProbe(),
            new ProcessStart(),
            new PoolLifecycle(),
            new PoolMapTrivial(),
            new PoolMapPayload(),
            new PoolMapCpu(),
            new ExecutorThroughput(),
            new PipePingpong(),
            new PipeThroughput(),
            new QueueThroughput(),
            new LockWorkload(),
            new SyncPingpong(),
            new ValueArray(),
            new ManagerWorkload(),
            new PoolFaults(),
            new ColdStart()
    );

    private static final Map<String, Workload> BY_NAME = index(ALL);

    private Workloads() {
    }

    /** All registered workloads, in run order. */
    public static List<Workload> all() {
        return ALL;
    }

    /** The registered names, in run order. */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** The workload called {@code name}, if registered. */
    public static Optional<Workload> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    private static Map<String, Workload> index(List<Workload> all) {
        Map<String, Workload> m = new LinkedHashMap<>();
        for (Workload w : all) {
            if (m.putIfAbsent(w.name(), w) != null) throw new IllegalStateException("duplicate workload " + w.name());
        }
        return m;
    }
}
