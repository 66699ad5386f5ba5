package org.multiprocessing4j.internal.queue;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;

/**
 * Test-only switches that deliberately break the queue's publication and wake-up protocol, so that the
 * stress tests can prove they detect each hazard (multiprocessing4j/STRESS.md). Read once, from the system
 * property {@value Configuration#WEAKEN_QUEUE}, into static finals: unset (always, outside the stress
 * tests' own child JVMs) every switch is a constant {@code false} and the JIT folds the branches away.
 *
 * <p>The property is a comma-separated list of:
 * <ul>
 * <li>{@code no-safety-net}: futex slices of {@link #LONG_SLICE_NANOS} instead of 20..100 ms, so that a
 *     lost wake-up hangs instead of costing one slice (not a bug in itself).
 * <li>{@code skip-wake}: {@link FutexCondition} never calls {@code FUTEX_WAKE}, even with the waiting bit
 *     set (a lost wake-up every time a side sleeps).
 * <li>{@code no-recheck}: a sleeper that set the waiting bit sleeps without re-checking its condition (the
 *     classic lost-wake race).
 * <li>{@code publish-first}: a producer moves the tail (publishes) before it writes the record, so a
 *     consumer that sees the new tail can read a record that is not there yet (torn or stale bytes).
 * </ul>
 */
final class QueueWeakening {
    /** A futex slice with the safety net off: any lost wake-up outlasts a stress run's stall limit. */
    static final long LONG_SLICE_NANOS = TimeUnit.MINUTES.toNanos(10);

    static final boolean NO_SAFETY_NET;
    static final boolean SKIP_WAKE;
    static final boolean NO_RECHECK;
    static final boolean PUBLISH_FIRST;

    static {
        Set<String> on = Configuration.weakening(Configuration.WEAKEN_QUEUE, Set.of("no-safety-net", "skip-wake", "no-recheck", "publish-first"));
        NO_SAFETY_NET = on.contains("no-safety-net");
        SKIP_WAKE = on.contains("skip-wake");
        NO_RECHECK = on.contains("no-recheck");
        PUBLISH_FIRST = on.contains("publish-first");
    }

    private QueueWeakening() {
    }
}
