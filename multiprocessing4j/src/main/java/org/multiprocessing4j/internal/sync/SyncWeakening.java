package org.multiprocessing4j.internal.sync;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;

/**
 * Test-only switches that deliberately break the protocols of this package, so that the stress tests can
 * prove they detect each hazard (multiprocessing4j/STRESS.md). Read once, from the system property
 * {@value Configuration#WEAKEN_SYNC}, into static finals: unset (always, outside the stress tests' own
 * child JVMs) every switch is a constant {@code false} and the JIT folds the branches away.
 *
 * <p>The property is a comma-separated list of:
 * <ul>
 * <li>{@code no-safety-net}: futex slices of {@link #LONG_SLICE_NANOS} instead of 20..100 ms, so that a
 *     lost wake-up hangs instead of costing one slice.
 * <li>{@code lock-wake-check-first}: a lock's release reads the waiter count before its store of 0
 *     instead of after: a waiter that registers in between and sees the lock still held sleeps, and the
 *     releaser, having seen no waiter, does not wake it (a lost wake-up).
 * <li>{@code lock-no-barrier}: a lock waiter skips its membarrier between registering and reading the
 *     owner, so where releases store without a fence the releaser's read of the waiter count may be served
 *     before its store is visible while the waiter reads the old owner: both miss each other.
 * <li>{@code lock-keep-pending}: a lock release whose FUTEX_WAKE found nobody asleep leaves its
 *     wake-pending flag set, so a waiter that was on its way into the kernel and sleeps on a word retaken
 *     by the same pid is never woken by later releases.
 * <li>{@code lock-plain-takeover}: a waiter takes a dead owner's lock with a plain store instead of a CAS
 *     from the dead owner's word, so two recoverers (or a recoverer and a new acquirer) can both hold it.
 * <li>{@code lock-bias-no-recheck}: a biased lock's bias thread takes it without reading the bias state
 *     again after storing its hold, so a revoker that read the hold as 0 just before that store and the
 *     bias thread both hold the lock.
 * <li>{@code lock-no-token}: owner words carry the pid only, without the start-time token, so a dead
 *     holder whose pid the kernel has handed to a new process looks alive again (ABA on the owner's
 *     identity): its lock is never recovered while that unrelated process lives.
 * <li>{@code lock-bias-eager}: not a weakening but a setting that makes the bias protocol run often:
 *     biased locks grant a bias after 8 holds in a row instead of 64, never doubled by revocations, even
 *     to a lock contended lately.
 * <li>{@code condition-plain-sleep}: a condition waiter announces its sleep with a plain store instead
 *     of a CAS, so a signal that lands between its last look and that store is overwritten, and the
 *     signaller, having seen no sleeper, does not wake it (a lost wake-up).
 * <li>{@code barrier-late-read}: a barrier party reads the futex word it will sleep on after releasing
 *     the barrier's mutex instead of before (and sleeps without looking again), so a trip in between is
 *     missed: the classic lost wake-up.
 * </ul>
 */
final class SyncWeakening {
    static final long LONG_SLICE_NANOS = TimeUnit.MINUTES.toNanos(10);

    static final boolean NO_SAFETY_NET;
    static final boolean LOCK_WAKE_CHECK_FIRST;
    static final boolean LOCK_PLAIN_TAKEOVER;
    static final boolean LOCK_KEEP_PENDING;
    static final boolean LOCK_NO_BARRIER;
    static final boolean LOCK_BIAS_NO_RECHECK;
    static final boolean LOCK_NO_TOKEN;
    static final boolean LOCK_BIAS_EAGER;
    static final boolean CONDITION_PLAIN_SLEEP;
    static final boolean BARRIER_LATE_READ;

    static {
        Set<String> on = Configuration.weakening(Configuration.WEAKEN_SYNC, Set.of("no-safety-net", "lock-wake-check-first", "lock-plain-takeover", "lock-keep-pending", "lock-no-barrier", "lock-bias-no-recheck", "lock-bias-eager", "condition-plain-sleep",
                "barrier-late-read", "lock-no-token"));
        NO_SAFETY_NET = on.contains("no-safety-net");
        LOCK_WAKE_CHECK_FIRST = on.contains("lock-wake-check-first");
        LOCK_PLAIN_TAKEOVER = on.contains("lock-plain-takeover");
        LOCK_KEEP_PENDING = on.contains("lock-keep-pending");
        LOCK_NO_BARRIER = on.contains("lock-no-barrier");
        LOCK_BIAS_NO_RECHECK = on.contains("lock-bias-no-recheck");
        LOCK_NO_TOKEN = on.contains("lock-no-token");
        LOCK_BIAS_EAGER = on.contains("lock-bias-eager");
        CONDITION_PLAIN_SLEEP = on.contains("condition-plain-sleep");
        BARRIER_LATE_READ = on.contains("barrier-late-read");
    }

    private SyncWeakening() {
    }
}
