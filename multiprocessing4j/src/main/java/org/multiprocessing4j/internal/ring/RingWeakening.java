package org.multiprocessing4j.internal.ring;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;

/**
 * Test-only switches that deliberately break the ring's futex protocol, so that the stress tests can
 * prove they detect each hazard (multiprocessing4j/STRESS.md). Read once, from the system property
 * {@value Configuration#WEAKEN_RING}, into static finals: unset (always, outside the stress tests' own
 * child JVMs) every switch is a constant {@code false} and the JIT folds the branches away.
 *
 * <p>The property is a comma-separated list of:
 * <ul>
 * <li>{@code no-safety-net}: futex slices of {@link #LONG_SLICE_NANOS} instead of 20..100 ms. Not a bug in
 *     itself: without it, a lost wake-up costs one slice instead of hanging, so the protocol could be
 *     wrong and every message would still arrive. The stress tests turn it on to test the protocol alone.
 * <li>{@code skip-wake}: the waker never calls {@code FUTEX_WAKE}, even with sleepers registered (a lost
 *     wake-up every time the peer sleeps).
 * <li>{@code no-recheck}: a sleeper that registered goes to sleep without re-checking its condition, so a
 *     publication between its last check and its registration is missed (the classic lost-wake race).
 * <li>{@code no-wake-fence}: the waker reads the sleeper count without the full fence after its release
 *     store, so the store can still sit in its store buffer while it reads a stale zero (the Dekker
 *     store→load reordering that x86 TSO allows). Meaningful in a process not registered for membarrier(2)
 *     ({@code -Dmultiprocessing4j.membarrier=false}), whose wakers fence and which sleepers' barriers do not
 *     reach; the stress test runs it so.
 * <li>{@code no-arm}: the sleeper does not store the sequence it is about to wait on in "armed", so a waker
 *     that reads a stale armed value takes the sleeper for woken already and skips {@code FUTEX_WAKE} (the
 *     wake it owes the sleeper is lost).
 * <li>{@code no-barrier}: the sleeper skips the membarrier(2) that stands in for the fence of wakers in
 *     registered processes (which then order their store→load pair by nothing).
 * </ul>
 */
final class RingWeakening {
    /** A futex slice with the safety net off: any lost wake-up outlasts a stress run's stall limit. */
    static final long LONG_SLICE_NANOS = TimeUnit.MINUTES.toNanos(10);

    static final boolean NO_SAFETY_NET;
    static final boolean SKIP_WAKE;
    static final boolean NO_RECHECK;
    static final boolean NO_WAKE_FENCE;
    static final boolean NO_BARRIER;
    static final boolean NO_ARM;

    static {
        Set<String> on = Configuration.weakening(Configuration.WEAKEN_RING, Set.of("no-safety-net", "skip-wake", "no-recheck", "no-wake-fence", "no-barrier", "no-arm"));
        NO_SAFETY_NET = on.contains("no-safety-net");
        SKIP_WAKE = on.contains("skip-wake");
        NO_RECHECK = on.contains("no-recheck");
        NO_WAKE_FENCE = on.contains("no-wake-fence");
        NO_BARRIER = on.contains("no-barrier");
        NO_ARM = on.contains("no-arm");
    }

    private RingWeakening() {
    }
}
