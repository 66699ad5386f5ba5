package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.map.IMap;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.multiprocessing4j.internal.remote.SemaphoreBackend;

/**
 * A counting semaphore shared by every JVM of the cluster that names it: the backend of
 * {@code ClusterSemaphore} and of a cluster context's {@code Semaphore}/{@code BoundedSemaphore}. A
 * serializable handle ({@link StructureRef}). Thread-safe.
 *
 * <p>Implementation note: Hazelcast's {@code ISemaphore} is part of the CP subsystem, which the community
 * edition does not have (5.7: "CP subsystem is a licensed feature"). The permits are signed tokens in an
 * {@code IQueue} (one synchronous backup: one member crash loses none): acquiring takes one, releasing
 * puts one back. A token without the authkey's signature, or an item that is not a token at all, is dropped
 * (logged) when taken, so nobody without
 * the key can make a token; anybody reaching the cluster can still remove tokens, or copy one there and add it
 * again (tokens are not numbered: a replay adds a permit). A permit taken by a JVM that
 * dies is not given back. An acquire waits in slices run by {@link Waiting}: an interrupt never abandons a
 * {@code poll} on the member (a permit it took as the interrupt came is put back before the acquire throws
 * {@link InterruptedException}). A bounded semaphore's release checks the count and adds the token under the key
 * lock {@code release} of the settings map: releases are serialized, and an acquire between the check and
 * the add only lowers the count, so the bound holds. A permit that an interrupted acquire gives back is put
 * back under that lock too, and only if the semaphore is below its bound (a release may have added one
 * meanwhile, seeing one permit fewer).
 */
public final class ClusterPermits implements SemaphoreBackend {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient IQueue<byte[]> permits;
    private final transient IMap<String, Integer> settings;
    private final transient Frames frames;
    private final transient String context;
    /** The most permits it may hold; -1: no bound. */
    private final transient int bound;
    private final transient StructureRef ref;

    ClusterPermits(IQueue<byte[]> permits, IMap<String, Integer> settings, Frames frames, int bound, StructureRef ref) {
        this.permits = permits;
        this.settings = settings;
        this.frames = frames;
        this.context = "semaphore:" + permits.getName();
        this.bound = bound;
        this.ref = ref;
    }

    /**
     * The most permits a semaphore starts with: each is an item of the queue, put there when it is made.
     * (Releases may add more to an unbounded one, one at a time.)
     */
    public static final int MAX_INITIAL_PERMITS = 1 << 16;
    /** Permits put in the queue by one call when a semaphore is made (one round trip each, not one per permit). */
    private static final int FILL_BATCH = 4096;

    /** Puts {@code n} new permits in the queue (once, by the JVM that made the semaphore), in batches. */
    void fill(int n) {
        List<byte[]> batch = new ArrayList<>(Math.min(n, FILL_BATCH));
        for (int i = 0; i < n; i++) {
            batch.add(token());
            if (batch.size() == FILL_BATCH || i == n - 1) {
                permits.addAll(batch);
                batch.clear();
            }
        }
    }

    private byte[] token() {
        return frames.seal(context, ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, new byte[0]);
    }

    private boolean genuine(byte[] token) {
        if (token != null && frames.open(context, Frames.ANY_SEQ, token) == null) {
            WorkerLog.warn("dropped a permit of " + permits.getName() + " with a bad signature (written without the authkey)");
            return false;
        }
        return token != null;
    }

    @Override
    public boolean acquire(long nanos, boolean interruptible) throws InterruptedException {
        return Waiting.slices(nanos, interruptible, ref, slice -> {
            while (true) {
                byte[] token = Queues.poll(permits, slice); // an item that is not a byte[]: FOREIGN (dropped, logged)
                if (token == null || (token != Queues.FOREIGN && genuine(token))) {
                    return token;
                }
            }
        }, this::giveBack) != null;
    }

    /**
     * Puts back the permit {@code token} that an interrupted acquire got. For a bounded semaphore, under
     * the key lock of the releases: a release that came while the permit was out saw one permit fewer and
     * may have added one; the bound then holds by dropping this one (the count is right either way).
     */
    private void giveBack(byte[] token) {
        if (bound < 0) {
            permits.add(token);
            return;
        }
        settings.lock("release");
        try {
            if (permits.size() < bound) {
                permits.add(token);
            }
        } finally {
            settings.unlock("release");
        }
    }

    @Override
    public void release() {
        ShieldedCall.quietly(this::releaseNow);
    }

    private void releaseNow() {
        if (bound < 0) {
            permits.add(token());
            return;
        }
        settings.lock("release");
        try {
            if (permits.size() >= bound) {
                throw new IllegalStateException("release of " + this + ": it is already at its initial value " + bound
                        + " (released more times than acquired)");
            }
            permits.add(token());
        } finally {
            settings.unlock("release");
        }
    }

    @Override
    public int value() {
        return ShieldedCall.quietly(permits::size);
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterSemaphore[" + permits.getName() + (bound >= 0 ? ", bound " + bound : "") + "]";
    }
}
