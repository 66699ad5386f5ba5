package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.util.Pool;

/**
 * Hands out {@link KryoSession}s so that no two threads ever use one at once. A platform thread keeps
 * its own session for its lifetime (no locking on the hot path: a Kryo pool's queue costs about 50 ns
 * per obtain or free). A virtual thread, or a call nested inside another call on the same thread, borrows
 * one from a shared pool instead, so many short-lived virtual threads do not each build a Kryo.
 */
final class Sessions {

    private final ThreadLocal<KryoSession> perThread = ThreadLocal.withInitial(() -> new KryoSession(true));
    private final Pool<KryoSession> shared;

    Sessions(int maxPooled) {
        shared = new Pool<>(true, false, maxPooled) {
            @Override
            protected KryoSession create() {
                return new KryoSession(false);
            }
        };
    }

    /** A session for the calling thread's exclusive use until {@link #release} or {@link #discard}. */
    KryoSession obtain() {
        if (!Thread.currentThread().isVirtual()) {
            KryoSession own = perThread.get();
            if (!own.inUse) {
                own.inUse = true;
                return own;
            }
        }
        KryoSession borrowed = shared.obtain();
        borrowed.inUse = true;
        return borrowed;
    }

    /** Gives back a session that finished its call cleanly. */
    void release(KryoSession session) {
        session.inUse = false;
        if (!session.threadOwned) {
            shared.free(session);
        }
    }

    /** Drops a session whose call failed: its Kryo may hold state from the broken graph. */
    void discard(KryoSession session) {
        session.inUse = false;
        if (session.threadOwned) {
            perThread.remove();
        }
    }
}
