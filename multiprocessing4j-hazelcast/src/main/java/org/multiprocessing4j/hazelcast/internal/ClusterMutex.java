package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.map.IMap;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.internal.remote.LockBackend;

/**
 * The backend of a cluster context's {@code Lock}: Python's semantics on the per-key lock of a Hazelcast
 * {@code IMap}. Not reentrant: a thread that takes it twice waits (for its timeout, or for another thread
 * to release it), as in Python; released by any thread of any JVM of the cluster; a release of a lock
 * nobody holds throws {@link IllegalStateException}. A serializable handle ({@link StructureRef}).
 * Thread-safe.
 *
 * <p>Implementation note: Hazelcast's key lock is reentrant and owned by a thread, so this JVM remembers
 * which of its threads holds each lock; that thread waits (re-checking that the lock is still held at
 * all) instead of taking it again. A release by the owner is an {@code unlock}; by anyone else a
 * {@code forceUnlock}. Waits are slices run by {@link Waiting}: an interrupt never abandons a
 * {@code tryLock} on the member (one that got the lock as the interrupt came unlocks it before the
 * acquire throws {@link InterruptedException}). Two releases racing may both pass the "is it held" check, so the second could free
 * the lock of a new holder: release once, as Python requires. What a cluster lock lacks against a CP
 * {@code FencedLock} is said by {@link ClusterLock}.
 */
public final class ClusterMutex implements LockBackend {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The thread of this JVM holding each lock (by map name), as far as this JVM knows. */
    private static final Map<String, Thread> HOLDERS = new ConcurrentHashMap<>();

    private final transient IMap<String, byte[]> map;
    private final transient String key;
    private final transient StructureRef ref;

    ClusterMutex(IMap<String, byte[]> map, String key, StructureRef ref) {
        this.map = map;
        this.key = key;
        this.ref = ref;
    }

    @Override
    public boolean acquire(long nanos, boolean interruptible) throws InterruptedException {
        Thread me = Thread.currentThread();
        boolean taken = Waiting.slices(nanos, interruptible, ref, slice -> {
            if (heldByMe(me)) {
                LockSupport.parkNanos(slice); // taken twice by one thread: wait for a release elsewhere, as Python does
                return null;
            }
            return map.tryLock(key, slice, TimeUnit.NANOSECONDS) ? Boolean.TRUE : null;
        }, got -> map.unlock(key)) != null;
        if (taken) {
            HOLDERS.put(map.getName(), me);
        }
        return taken;
    }

    /** Whether this thread holds the lock (and it is still held: a release elsewhere clears the mark). */
    private boolean heldByMe(Thread me) {
        if (HOLDERS.get(map.getName()) != me) {
            return false;
        }
        if (map.isLocked(key)) {
            return true;
        }
        HOLDERS.remove(map.getName(), me);
        return false;
    }

    @Override
    public void release() {
        Thread me = Thread.currentThread();
        ShieldedCall.quietly(() -> releaseAs(me));
    }

    private void releaseAs(Thread me) {
        if (!map.isLocked(key)) {
            throw new IllegalStateException("release of " + this + ": it is not held");
        }
        Thread holder = HOLDERS.remove(map.getName());
        if (holder == me) {
            try {
                map.unlock(key);
                return;
            } catch (IllegalMonitorStateException stale) {
                // released elsewhere and taken since by another: Python lets anyone release it
            }
        }
        map.forceUnlock(key);
    }

    @Override
    public boolean isLocked() {
        return ShieldedCall.quietly(() -> map.isLocked(key));
    }

    @Override
    public int holdCount() {
        Thread me = Thread.currentThread();
        return ShieldedCall.quietly(() -> heldByMe(me)) ? 1 : 0;
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterMutex[" + map.getName() + "]";
    }
}
