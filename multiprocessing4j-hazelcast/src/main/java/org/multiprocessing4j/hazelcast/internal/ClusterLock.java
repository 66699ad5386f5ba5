package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.map.IMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A {@link Lock} shared by every JVM of the cluster that names it, on the per-key lock of a Hazelcast
 * {@code IMap} (the community edition's only cluster-wide lock: its CP {@code FencedLock} needs an
 * Enterprise license). Owned by a thread of one member or client, and <b>reentrant</b> (an RLock):
 * the owner may take it again and must unlock it as many times. {@link #unlock()} by a thread that does
 * not hold it throws {@link IllegalMonitorStateException}. Not fair. Thread-safe.
 *
 * <p>Implementation note: the lock state lives on the key's partition owner and its synchronous backup,
 * so one member crash keeps it; Hazelcast releases the locks of a member that leaves the cluster and of
 * a client whose connection ends. It is AP, not CP: in a network partition (split brain) each side can
 * grant it. {@link #lockInterruptibly()} waits in slices of {@code tryLock} (which is interruptible);
 * {@link #lock()} is Hazelcast's own, not interruptible.
 */
public final class ClusterLock implements Lock {
    private static final long SLICE_MS = 1_000;
    private final IMap<String, byte[]> map;
    private final String key;

    public ClusterLock(IMap<String, byte[]> map, String key) {
        this.map = map;
        this.key = key;
    }

    @Override
    public void lock() {
        map.lock(key);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        while (!map.tryLock(key, SLICE_MS, TimeUnit.MILLISECONDS)) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted waiting for lock " + map.getName());
            }
        }
    }

    @Override
    public boolean tryLock() {
        return map.tryLock(key);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return map.tryLock(key, Math.max(0, time), unit);
    }

    @Override
    public void unlock() {
        map.unlock(key);
    }

    /** Whether some thread of some JVM holds the lock now (a snapshot). */
    public boolean isLocked() {
        return map.isLocked(key);
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

    @Override
    public String toString() {
        return "ClusterLock[" + map.getName() + "]";
    }
}
