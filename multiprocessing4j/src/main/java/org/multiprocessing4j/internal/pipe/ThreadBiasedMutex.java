package org.multiprocessing4j.internal.pipe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.multiprocessing4j.internal.futex.Membarrier;

/**
 * The lock that serializes one direction of a {@link RingConnection} among the threads of this process,
 * biased to the first thread that takes it: until another thread takes it, that thread enters and leaves
 * with plain stores and loads, no atomic instruction. The first other thread revokes the bias for good;
 * from then on every thread takes an ordinary {@link ReentrantLock}. Reentrant; not interruptible (as
 * {@code synchronized}, which it replaces). Thread-safe.
 *
 * <p>Why: an atomic instruction drains the store buffer. On a ring's hot path the buffer holds the store
 * that published the last message, whose cache line the peer process keeps reading, so every send and
 * every receive waited there for a round trip between cores: with {@code synchronized} around each call,
 * 64-byte messages from one process to another went at about 3.3 M/s on the 2-vCPU machine of DESIGN.md;
 * with this lock (and the ring's fenceless wake-up check, see {@code RingEnd}) at 11-14 M/s.
 */
/*
 * Implementation notes
 *
 * A Dekker handshake made asymmetric with membarrier(2), as internal.sync.BiasedLock does across processes:
 *   bias thread (outermost enter): inside = true (release store) ; r = revoked (volatile load) ;
 *                                  r ? back out (inside = false) and take the lock : enter
 *   revoker (first other thread):  take the lock ; revoked = true (volatile store) ; membarrier ;
 *                                  wait until inside == false
 * The barrier makes every running thread of this process pass a full fence, so either the bias thread's
 * store of inside is visible to the revoker's reads, or its load of revoked comes after the barrier and sees
 * true (Membarrier's notes give the proof). Both cannot be inside. The bias thread's store and load must stay
 * in program order in the compiled code: the Java memory model would let a release store and a later volatile
 * load be reordered, but HotSpot's C2 and C1 keep ordered VarHandle accesses in order (each carries a
 * CPU-order barrier for the compiler); another JIT would need checking.
 * Bias is offered only where this process receives such barriers (Membarrier.REGISTERED); elsewhere every
 * thread takes the lock. If the kernel ever refuses a barrier, the revoker parks 1 ms first: a store buffer
 * drains in nanoseconds, so the bias thread's store is visible by then in practice.
 *
 * The bias thread counts its own nested entries (depth, read and written by it alone: another thread never
 * gets past the bias check, which is why bias keeps naming the bias thread after a revocation); only the
 * outermost entry stores inside, and a nested one never looks at revoked, so a revoker waiting for the
 * bias thread cannot make it wait for the lock in turn. A bias thread blocked inside (a send waiting for
 * room) keeps the revoker waiting, as the lock would: the revoker spins briefly, then parks in growing
 * steps up to 1 ms. The revoker's volatile read of inside = false comes after the bias thread's release
 * store of it, so everything the bias thread did inside happens before what the revoker does next.
 */
final class ThreadBiasedMutex {
    /** Whether this process may bias: other threads' revocations reach its bias thread only then. */
    private static final boolean BIASABLE = Membarrier.REGISTERED;
    /** The value of {@link #bias} before the first entry (thread ids start at 1). */
    private static final long NONE_YET = 0;
    /** The value of {@link #bias} where bias is not offered: it matches no thread. */
    private static final long NO_BIAS = -1;
    private static final VarHandle BIAS;
    private static final VarHandle INSIDE;
    private static final VarHandle REVOKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BIAS = lookup.findVarHandle(ThreadBiasedMutex.class, "bias", long.class);
            INSIDE = lookup.findVarHandle(ThreadBiasedMutex.class, "inside", boolean.class);
            REVOKED = lookup.findVarHandle(ThreadBiasedMutex.class, "revoked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How {@link #enter()} entered, to be passed to {@link #exit(boolean)}: true on the bias fast path. */
    static final boolean BIASED = true;

    /**
     * {@link #NONE_YET} until the first entry, then that thread's id for good ({@link Thread#threadId()}, never
     * reused, and no reference that would keep the thread reachable); {@link #NO_BIAS} where bias is not offered.
     */
    @SuppressWarnings("unused") // through BIAS
    private long bias = BIASABLE ? NONE_YET : NO_BIAS;
    /** True while the bias thread is inside; written by the bias thread only. */
    @SuppressWarnings("unused") // through INSIDE
    private boolean inside;
    /** Set once, by the first other thread, under {@link #lock}. */
    @SuppressWarnings("unused") // through REVOKED
    private boolean revoked;
    /** The bias thread's nesting depth on the fast path; touched by the bias thread only. */
    private int depth;
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * Enters, waiting as long as another thread is inside.
     *
     * @return {@link #BIASED} if entered on the fast path; pass the result to {@link #exit(boolean)}
     */
    boolean enter() {
        long me = Thread.currentThread().threadId();
        long b = (long) BIAS.getAcquire(this);
        if (b == NONE_YET) {
            b = BIAS.compareAndSet(this, NONE_YET, me) ? me : (long) BIAS.getAcquire(this);
        }
        if (b == me) {
            if (depth > 0) {
                depth++; // NOTE: only the bias thread gets here, and depth > 0 only while it is inside
                return BIASED;
            }
            // NOTE: store then load with no fence: a revoker's membarrier orders them (see the notes).
            INSIDE.setRelease(this, true);
            if (!(boolean) REVOKED.getVolatile(this)) {
                depth = 1;
                return BIASED;
            }
            INSIDE.setRelease(this, false);
        }
        lock.lock();
        if (!(boolean) REVOKED.getVolatile(this)) {
            try {
                revoke();
            } catch (Throwable t) {
                lock.unlock(); // NOTE: an Error in the barrier's downcall must not leave the lock held
                throw t;
            }
        }
        return !BIASED;
    }

    /**
     * Whether another thread is inside now: a hint for a caller that must not wait for it (it may leave, or
     * another enter, right after). Never blocks.
     */
    boolean heldByAnotherThread() {
        long b = (long) BIAS.getAcquire(this);
        if (b != Thread.currentThread().threadId() && (boolean) INSIDE.getVolatile(this)) {
            return true; // NOTE: inside is written by the bias thread only
        }
        return lock.isLocked() && !lock.isHeldByCurrentThread();
    }

    /** Leaves what {@link #enter()} entered; {@code how} is what it returned. */
    void exit(boolean how) {
        if (how == BIASED) {
            if (--depth == 0) {
                INSIDE.setRelease(this, false);
            }
        } else {
            lock.unlock();
        }
    }

    /**
     * Ends the bias for good and waits until the bias thread is out. Called holding the lock. An interrupt
     * does not end the wait (it would not end a wait for the lock either): the status is cleared while
     * parking, so that parks really park, and set again before returning.
     */
    private void revoke() {
        REVOKED.setVolatile(this, true);
        long b = (long) BIAS.getVolatile(this);
        if (b == NONE_YET || b == NO_BIAS || b == Thread.currentThread().threadId()) {
            // NOTE: no bias thread yet (one that takes the bias later sees revoked and backs out), or never
            // one; the bias thread itself only gets here after backing out, so never while inside
            return;
        }
        boolean interrupted = Thread.interrupted();
        if (!Membarrier.globalBarrier()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        long pause = 0;
        for (int spins = 0; (boolean) INSIDE.getVolatile(this); spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                pause = Math.min(TimeUnit.MILLISECONDS.toNanos(1), Math.max(10_000, pause * 2));
                // NOTE: parkNanos returns at once while the status is set: that would spin (and, on a virtual
                // thread, could keep the bias thread from the carrier it needs to leave)
                interrupted |= Thread.interrupted();
                LockSupport.parkNanos(pause);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
