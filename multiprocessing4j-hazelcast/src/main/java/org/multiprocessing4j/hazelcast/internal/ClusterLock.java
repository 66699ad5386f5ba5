package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.map.IMap;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.multiprocessing4j.internal.remote.LockBackend;

/**
 * A {@link Lock} shared by every JVM of the cluster that names it, on the per-key lock of a Hazelcast
 * {@code IMap} (the community edition's only cluster-wide lock: its CP {@code FencedLock} needs an
 * Enterprise license). Owned by a thread of one member or client, and <b>reentrant</b> (an RLock):
 * the owner may take it again and must unlock it as many times. {@link #unlock()} by a thread that does
 * not hold it throws {@link IllegalMonitorStateException}. Not fair. Also the backend of a cluster
 * context's {@code RLock}; a serializable handle ({@link StructureRef}). Thread-safe.
 *
 * <p>Implementation note: the lock state lives on the key's partition owner and its synchronous backup,
 * so one member crash keeps it; Hazelcast releases the locks of a member that leaves the cluster and of
 * a client whose connection ends. It is AP, not CP: in a network partition (split brain) each side can
 * grant it. Waits are slices of {@code tryLock} run by {@link Waiting} (an interrupt is seen between
 * slices and never abandons a {@code tryLock} on the member: one that got the lock as the interrupt came
 * unlocks it before {@link #lockInterruptibly()} or {@code tryLock(time, unit)} throw
 * {@link InterruptedException}); {@link #lock()} and {@link #tryLock()} are uninterruptible and keep the
 * interrupt status for later. The hold count of each thread is kept in this JVM (Hazelcast does not tell it).
 */
public final class ClusterLock implements Lock, LockBackend {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Holds of this thread, by lock map name. */
    private static final ThreadLocal<Map<String, Integer>> HOLDS = ThreadLocal.withInitial(HashMap::new);

    private final transient IMap<String, byte[]> map;
    private final transient String key;
    private final transient StructureRef ref;

    ClusterLock(IMap<String, byte[]> map, String key, StructureRef ref) {
        this.map = map;
        this.key = key;
        this.ref = ref;
    }

    @Override
    public boolean acquire(long nanos, boolean interruptible) throws InterruptedException {
        boolean taken = Waiting.slices(nanos, interruptible, ref, slice -> map.tryLock(key, slice, TimeUnit.NANOSECONDS) ? Boolean.TRUE : null,
                got -> map.unlock(key)) != null;
        if (taken) {
            HOLDS.get().merge(map.getName(), 1, Integer::sum);
        }
        return taken;
    }

    @Override
    public void release() {
        ShieldedCall.quietly(() -> map.unlock(key)); // IllegalMonitorStateException if this thread does not hold it
        HOLDS.get().computeIfPresent(map.getName(), (k, n) -> n > 1 ? n - 1 : null);
    }

    @Override
    public int holdCount() {
        return HOLDS.get().getOrDefault(map.getName(), 0);
    }

    @Override
    public void lock() {
        try {
            acquire(-1, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        acquire(-1, true);
    }

    @Override
    public boolean tryLock() {
        try {
            return acquire(0, false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return acquire(Math.max(0, unit.toNanos(time)), true);
    }

    @Override
    public void unlock() {
        release();
    }

    /** Whether some thread of some JVM holds the lock now (a snapshot). */
    @Override
    public boolean isLocked() {
        return ShieldedCall.quietly(() -> map.isLocked(key));
    }

    /**
     * Not supported on the cluster.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("a cluster lock has no conditions");
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterLock[" + map.getName() + "]";
    }
}
