package org.multiprocessing4j.internal.sync;

import static org.multiprocessing4j.internal.sync.SyncLayout.INT;
import static org.multiprocessing4j.internal.sync.SyncLayout.LONG;

import java.lang.foreign.MemorySegment;
import org.multiprocessing4j.internal.futex.SpinPause;

/**
 * A reentrant lock owned by one thread of one process, across processes, on {@value #BYTES} bytes of a
 * shared mapping: a {@link RobustLock} (which process) plus the holding thread's id and the hold count
 * (which thread of it, how many times). Zero bytes are a free lock.
 *
 * <pre>
 *  +0 RobustLock (16 bytes)
 * +16 holder thread id (long): meaningful only while the owner word is this process
 * +24 hold count (int)
 * +28 reserved (int)
 * </pre>
 *
 * <p>The holder and count are written only by the holding thread, after it took the {@link RobustLock}
 * and before it releases it, so the lock's CAS and release order them for the next holder. A thread
 * reads the holder only after seeing the owner word equal to its own process, and every thread of the
 * process clears the holder before releasing, so a thread never mistakes an old hold for its own.
 * A recoverer of a dead owner's lock clears the dead thread's id inside the take-over (thread ids repeat
 * across JVMs: the dead one may be a live thread's here), and the "held by me" look never overlaps that
 * ({@link RobustLock#validateLook}); it then writes both. Thread-safe.
 */
public final class ReentrantRobustLock {
    /** Bytes of shared memory the lock takes; the offset must be 8-byte aligned. */
    public static final long BYTES = 32;
    private static final long HOLDER = 16;
    private static final long COUNT = 24;

    private final MemorySegment segment;
    private final RobustLock process;
    private final long holder;
    private final long count;

    public ReentrantRobustLock(MemorySegment segment, long offset) {
        this.segment = segment;
        this.holder = offset + HOLDER;
        // NOTE: the dead holder's thread id must not pass for a thread of this process's (see the class doc)
        this.process = new RobustLock(segment, offset, () -> LONG.setRelease(segment, holder, 0L));
        this.count = offset + COUNT;
    }

    /**
     * Takes the lock, or one more hold of it, waiting until {@code deadline} (past: try once).
     *
     * @throws InterruptedException if interruptible and interrupted while waiting; nothing stays registered
     * @throws IllegalStateException if the hold count would overflow
     */
    public RobustLock.Acquired lock(long deadline, boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (isHeldByCurrentThread()) {
            return reenter();
        }
        return hold(process.lock(deadline, interruptible));
    }

    /**
     * The uncontended paths: a free lock taken with one CAS, or one more hold by its holder; no clock
     * read, no liveness question.
     *
     * @return false means "call {@link #lock}"
     */
    public boolean tryLockFast() {
        if (process.tryLockFree()) {
            hold(RobustLock.Acquired.ACQUIRED);
            return true;
        }
        if (isHeldByCurrentThread()) {
            reenter();
            return true;
        }
        return false;
    }

    /** One attempt, never blocking (takes over from a dead owner). */
    public RobustLock.Acquired tryLock() {
        if (isHeldByCurrentThread()) {
            return reenter();
        }
        return hold(process.tryLock());
    }

    private RobustLock.Acquired reenter() {
        int c = (int) INT.getOpaque(segment, count);
        if (c == Integer.MAX_VALUE) {
            throw new IllegalStateException("maximum hold count of a reentrant lock exceeded");
        }
        INT.setOpaque(segment, count, c + 1);
        return RobustLock.Acquired.ACQUIRED;
    }

    private RobustLock.Acquired hold(RobustLock.Acquired acquired) {
        if (acquired.held()) {
            LONG.setOpaque(segment, holder, Thread.currentThread().threadId());
            INT.setOpaque(segment, count, 1);
        }
        return acquired;
    }

    /**
     * Gives up one hold; the last one releases the lock.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold it
     */
    public void unlock() {
        checkHeld();
        int c = (int) INT.getOpaque(segment, count);
        if (c > 1) {
            INT.setOpaque(segment, count, c - 1);
            return;
        }
        release();
    }

    /**
     * Gives up every hold at once (a condition wait) and returns how many there were.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold it
     */
    public int unlockFully() {
        checkHeld();
        int c = (int) INT.getOpaque(segment, count);
        release();
        return c;
    }

    /** After a {@link #lock} that took the lock (hold count 1), sets the hold count (a condition wait's end). */
    public void restoreHolds(int holds) {
        INT.setOpaque(segment, count, holds);
    }

    private void release() {
        INT.setOpaque(segment, count, 0);
        LONG.setOpaque(segment, holder, 0L);
        process.unlock(); // NOTE: a release: the two stores above are visible to the next holder's CAS
    }

    private void checkHeld() {
        if (!isHeldByCurrentThread()) {
            int pid = process.ownerPid();
            throw new IllegalMonitorStateException(pid == 0 ? "the reentrant lock is not held"
                    : "the reentrant lock is held by " + (pid == OwnerWord.pid(OwnerWord.SELF) ? "another thread" : "pid " + pid)
                    + ", not by thread " + Thread.currentThread().getName() + " of pid " + OwnerWord.pid(OwnerWord.SELF));
        }
    }

    /** True if the current thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        long me = Thread.currentThread().threadId();
        for (int i = 0; ; i++) {
            long stamp = RobustLock.beginLook();
            boolean mine = process.isHeldByThisProcess() && (long) LONG.getOpaque(segment, holder) == me;
            if (RobustLock.validateLook(stamp)) {
                return mine;
            }
            SpinPause.pause(i); // a take-over in this JVM is under way: a few stores
        }
    }

    /** The current thread's holds: 0 if it does not hold the lock. */
    public int holdCount() {
        return isHeldByCurrentThread() ? (int) INT.getOpaque(segment, count) : 0;
    }

    /** True if any thread of any process holds it (a snapshot). */
    public boolean isLocked() {
        return process.isLocked();
    }

    /** The process-level lock underneath (tests, messages). */
    public RobustLock processLock() {
        return process;
    }
}
