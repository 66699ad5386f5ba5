package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.ReentrantRobustLock;
import org.multiprocessing4j.internal.remote.LockBackend;
import org.multiprocessing4j.internal.sync.RobustLock;
import org.multiprocessing4j.internal.sync.SegmentSource;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A reentrant lock shared by threads and processes: Python's {@code multiprocessing.RLock}, also usable as
 * a {@link java.util.concurrent.locks.Lock}. It is owned by one thread of one process, which may acquire
 * it again without blocking; each acquire needs its release, and the last release frees it. It lives in
 * shared memory; a blocked thread sleeps on a futex (no CPU between wake-ups, at most ten a second).
 *
 * <table class="striped">
 * <caption>Acquire and release</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th><th>dead holder found</th></tr>
 * <tr><td>{@link #acquire()}</td><td>until taken</td><td>{@link InterruptedException}</td>
 *     <td>{@link OwnerDiedException}, lock held</td></tr>
 * <tr><td>{@link #acquire(Duration)}</td><td>up to the timeout; false if not taken</td>
 *     <td>{@link InterruptedException}</td><td>{@link OwnerDiedException}, lock held</td></tr>
 * <tr><td>{@link #tryAcquire()}</td><td>never</td><td>-</td><td>{@link OwnerDiedException}, lock held</td></tr>
 * <tr><td>{@link #lock()}</td><td>until taken</td><td>ignored (status kept)</td><td>returns normally</td></tr>
 * <tr><td>{@link #lockInterruptibly()}, {@link #tryLock(long, TimeUnit)}</td><td>until taken / timeout</td>
 *     <td>{@link InterruptedException}</td><td>returns normally</td></tr>
 * <tr><td>{@link #tryLock()}</td><td>never</td><td>-</td><td>returns normally (true)</td></tr>
 * <tr><td>{@link #release()}, {@link #unlock()}</td><td>never</td><td>-</td><td>-</td></tr>
 * </table>
 * A zero or negative timeout tries once. A re-acquire by the holding thread always succeeds at once.
 *
 * <p>{@link #release()} by a thread that does not hold the lock (another thread, another process, or
 * nobody holds it) throws {@link IllegalMonitorStateException}, as Python raises {@code RuntimeError}.
 *
 * <p>Owner death: the lock records which process holds it (pid and start time). If that process dies
 * holding it (SIGKILL included), the next acquirer notices within one futex slice, takes the lock over
 * with a hold count of one and is told: the Python-style {@code acquire}/{@code tryAcquire} throw
 * {@link OwnerDiedException} <em>with the lock held</em>; the {@code java.util.concurrent.locks.Lock}
 * methods return normally. A thread that ends holding the lock while its process lives keeps it held,
 * as with {@link java.util.concurrent.locks.ReentrantLock}.
 *
 * <p>Processes: an {@code RLock} is a serializable handle; a child that captures one uses the same lock,
 * mapping its shared memory on first use. Memory visibility: everything a thread did before the release
 * that frees the lock happens-before everything a thread does after it next acquires it, in any process.
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures a reentrant lock uses one decoded copy, and one mapping of its file, in its worker; holds are
 * recorded per thread and process in shared memory, whichever object took them. Closing that copy closes it
 * for every holder in the JVM; the next decode gives a new copy, which maps the file afresh. The creating
 * process's own object is never handed out so (a decode there gives a copy of its own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use; in the process that created the lock it also
 * removes its shared file (processes already using it keep working). Locks never closed are removed when
 * the root process of the tree exits. The lock of a shared value belongs to the value: closing it does
 * nothing.
 *
 * <p>On a cluster: a context whose pool workers are a cluster's (module {@code multiprocessing4j-hazelcast})
 * makes its reentrant locks on the cluster ({@code ctx.rLock()}), shared by every JVM there, with the same
 * methods and semantics; there is no owner-death notice (a dead JVM's holds are released by the cluster),
 * and such a lock has no {@link #newCondition()}.
 *
 * <p>Thread-safe.
 */
public final class RLock implements java.util.concurrent.locks.Lock, ConditionLock, Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared memory holding the lock word. */
    private final SegmentSource source;
    /** Where the lock word is in {@code source}. */
    private final long offset;
    /** The cluster's lock this one is, or null for a lock in shared memory. */
    private final LockBackend remote;
    private transient volatile ReentrantRobustLock core;

    /**
     * A new, free reentrant lock in shared memory of its own.
     *
     * @throws ProcessError if the shared memory cannot be created
     */
    public RLock() {
        SyncFile file = SyncFile.create(SyncKind.RLOCK, ReentrantRobustLock.BYTES, segment -> { });
        this.source = file;
        this.offset = file.base();
        this.remote = null;
    }

    /**
     * A reentrant lock over {@link ReentrantRobustLock#BYTES} zero (free) bytes at {@code offset} (8-byte
     * aligned) of memory another object owns, e.g. a shared value's file: the handle serializes
     * {@code source} and {@code offset}, so a child finds the same words; {@link #close()} leaves that
     * memory alone.
     */
    RLock(SegmentSource source, long offset) {
        this.source = Objects.requireNonNull(source, "source");
        this.offset = offset;
        this.remote = null;
    }

    /** A reentrant lock that is {@code remote}, a cluster's (see the class doc). */
    RLock(LockBackend remote) {
        this.source = null;
        this.offset = 0;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /** Bytes of shared memory a lock made by {@link #RLock(SegmentSource, long)} takes. */
    static long bytes() {
        return ReentrantRobustLock.BYTES;
    }

    /**
     * Acquires the lock (or one more hold of it), waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (no hold was taken)
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held once
     */
    public void acquire() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (remote != null) {
            remote.acquire(-1, true);
            return;
        }
        ReentrantRobustLock c = core();
        if (!c.tryLockFast()) {
            told(c.lock(Waits.never(), true));
        }
    }

    /**
     * Acquires the lock (or one more hold of it), waiting up to {@code timeout}; zero or negative tries once.
     *
     * @return true if acquired, false if the timeout passed
     * @throws InterruptedException if interrupted while waiting (no hold was taken)
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held once
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (remote != null) {
            return remote.acquire(Math.max(0, Timeouts.nanos(timeout)), true);
        }
        return told(core().lock(Waits.deadline(timeout), true));
    }

    /**
     * Acquires the lock (or one more hold of it) if that is possible now; never blocks.
     *
     * @return true if acquired
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held once
     */
    public boolean tryAcquire() {
        return remote != null ? remote.tryOnce() : told(core().tryLock());
    }

    /**
     * Gives up one hold; the last one frees the lock.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    public void release() {
        if (remote != null) {
            remote.release();
            return;
        }
        core().unlock();
    }

    /** {@return {@code true} if the current thread holds the lock} */
    public boolean isHeldByCurrentThread() {
        return remote != null ? remote.holdCount() > 0 : core().isHeldByCurrentThread();
    }

    /** {@return how many holds the current thread has: 0 if it does not hold the lock} */
    public int getHoldCount() {
        return remote != null ? remote.holdCount() : core().holdCount();
    }

    /** {@return {@code true} if some thread of some process holds the lock now (a snapshot)} */
    public boolean isLocked() {
        return remote != null ? remote.isLocked() : core().isLocked();
    }

    /** Acquires the lock, waiting as long as it takes; an interrupt does not end the wait (its status is kept). */
    @Override
    public void lock() {
        if (remote != null) {
            remote.acquireUninterruptibly();
            return;
        }
        ReentrantRobustLock c = core();
        if (c.tryLockFast()) {
            return;
        }
        try {
            c.lock(Waits.never(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (remote != null) {
            remote.acquire(-1, true);
            return;
        }
        core().lock(Waits.never(), true);
    }

    @Override
    public boolean tryLock() {
        return remote != null ? remote.tryOnce() : core().tryLock().held();
    }

    /** Acquires the lock, waiting up to the timeout; zero or negative tries once. */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (remote != null) {
            return remote.acquire(Math.max(0, unit.toNanos(time)), true);
        }
        return core().lock(Waits.deadlineIn(unit.toNanos(time)), true).held();
    }

    /**
     * As {@link #release()}.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void unlock() {
        release();
    }

    /**
     * A new {@link Condition} bound to this lock, in shared memory of its own (close it when done).
     *
     * @throws ProcessError if the shared memory cannot be created
     * @throws UnsupportedOperationException if this is a cluster's lock
     */
    @Override
    public Condition newCondition() {
        return new Condition(this);
    }

    /**
     * Ends this process's use of the lock; the creating process also removes its shared file. On a decoded
     * copy this closes it for every holder in this JVM (see the class doc). Idempotent.
     */
    @Override
    public void close() {
        if (source instanceof SyncFile file) {
            file.close();
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same lock, if there is one (see the class doc).
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        // NOTE: a lock over another object's memory (a value's) is one of that object's fields, shared with it
        return source instanceof SyncFile file ? file.adopt(this) : this;
    }

    /** For a condition wait: gives up every hold of the current thread, returns how many. */
    int releaseForWait() {
        return core().unlockFully();
    }

    /** For the end of a condition wait: takes the lock back uninterruptibly with {@code saved} holds. */
    void reacquireAfterWait(int saved) {
        RobustLock.Acquired acquired;
        try {
            acquired = core().lock(Waits.never(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
        core().restoreHolds(saved);
        told(acquired);
    }

    /** The pid holding the lock, 0 if free (a snapshot; tests use it). */
    int ownerPid() {
        return core().processLock().ownerPid();
    }

    /** Whether some thread of any process is registered to sleep until a release (a snapshot; tests use it). */
    boolean hasWaiters() {
        return core().processLock().hasWaiters();
    }

    private boolean told(RobustLock.Acquired acquired) {
        if (acquired == RobustLock.Acquired.RECOVERED) {
            long dead = core().processLock().lastDeadOwnerPid();
            throw new OwnerDiedException("took over " + this + " from pid " + dead + ", which died holding it; it is now held by "
                    + "thread " + Thread.currentThread().getName() + " of pid " + ProcessHandle.current().pid(), dead);
        }
        return acquired.held();
    }

    /** Whether this is a cluster's lock (no conditions, no owner pid). */
    boolean isRemote() {
        return remote != null;
    }


    private ReentrantRobustLock core() {
        ReentrantRobustLock c = core;
        if (c == null) {
            core = c = new ReentrantRobustLock(source.segment(), offset);
        }
        return c;
    }

    @Override
    public String toString() {
        if (remote != null) {
            return "RLock[" + remote + "]";
        }
        return "RLock[" + source + (source instanceof SyncFile ? "" : " @" + offset) + "]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}. */
    void ownedBy(ProcessStamp manager) {
        if (source instanceof SyncFile f) {
            f.ownedBy(manager);
        }
    }

}
