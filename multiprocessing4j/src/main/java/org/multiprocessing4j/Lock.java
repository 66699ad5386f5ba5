package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.remote.LockBackend;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.BiasedLock;
import org.multiprocessing4j.internal.sync.RobustLock;
import org.multiprocessing4j.internal.sync.SegmentSource;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A non-reentrant lock shared by threads and processes: Python's {@code multiprocessing.Lock}, also usable
 * as a {@link java.util.concurrent.locks.Lock}. It lives in shared memory; a blocked thread sleeps on a
 * futex (no CPU between wake-ups, at most ten a second).
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
 * A zero or negative timeout tries once.
 *
 * <p>Python's semantics: the lock belongs to nobody in particular, so any thread of any process may
 * release it, and a thread that acquires it twice waits for itself (deadlock, as in Python).
 * {@link #release()} of a lock nobody holds throws {@link IllegalStateException}; two releases of one
 * hold at the same instant, from two threads or processes, may both return, as in CPython (whose release
 * looks at the value, then posts). A {@link Condition} over the lock may be used only by the thread that
 * acquired it, as Python's {@code _is_mine} (see {@link Condition} for the per-process record this keeps).
 *
 * <p>Owner death: the lock records which process holds it (pid and start time). If that process dies
 * holding it (SIGKILL included), the next acquirer notices within one futex slice, takes the lock over
 * and is told: the Python-style {@code acquire}/{@code tryAcquire} throw {@link OwnerDiedException}
 * <em>with the lock held</em>; the {@code java.util.concurrent.locks.Lock} methods return normally (their
 * contract has no room for it, and {@code lock(); try {..} finally {unlock();}} must stay safe).
 *
 * <p>Cost: a thread that keeps taking the lock alone (64 times in a row, nobody else wanting it) comes to
 * take and release it without an atomic instruction, a few nanoseconds a pair; the first take by another
 * thread or process then costs that taker a {@code membarrier(2)} system call (tens of microseconds), and
 * after three such revocations the lock stays an ordinary compare-and-set lock. The semantics above do not
 * change. {@code -Dmultiprocessing4j.lockBias=false} turns this off for a process.
 *
 * <p>Processes: a {@code Lock} is a serializable handle. A child that captures one uses the same lock;
 * decoding has no side effects, the shared memory is mapped on first use. Memory visibility: everything a
 * thread did before releasing the lock happens-before everything a thread does after it next acquires it,
 * in any process (see the package doc).
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures a lock uses one decoded copy, and one mapping of its file, in its worker. What the process holds
 * does not change: the owner word records processes, not objects, so a lock a task took and did not release
 * stays held by the worker, and is taken over if it dies. Closing that copy closes it for every holder in
 * the JVM; the next decode gives a new copy, which maps the file afresh. The creating process's own object
 * is never handed out so (a decode there gives a copy of its own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use; in the process that created the lock it also
 * removes its shared file, so processes already using it keep working and a copy first used later throws
 * {@link IllegalStateException}. Locks never closed are removed when the root process of the tree exits.
 *
 * <p>On a cluster: a context whose pool workers are a cluster's (module {@code multiprocessing4j-hazelcast})
 * makes its locks on the cluster ({@code ctx.lock()}), shared by every JVM there, with the same methods and
 * Python's semantics (released by anyone; a second acquire by its holder waits). What differs is said by
 * that module: there is no owner-death notice (a dead JVM's hold is released by the cluster), and such a
 * lock has no {@link #newCondition()}.
 *
 * <p>Thread-safe.
 */
public final class Lock implements java.util.concurrent.locks.Lock, ConditionLock, Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared memory holding the lock word. */
    private final SegmentSource source;
    /** Where the lock word is in {@code source}. */
    private final long offset;
    /** The cluster's lock this one is, or null for a lock in shared memory. */
    private final LockBackend remote;
    /**
     * Made on first use. A plain field, read on every call: what a racing reader needs of the object is in
     * its final fields, and a racy first use at worst makes two (each with its own bias hints).
     */
    private transient BiasedLock core;
    /**
     * The {@link Thread#threadId() id} of the thread of this process that last acquired the lock through
     * this object, 0 after a release through it: what a {@link Condition} checks (Python's
     * {@code _is_mine}). A plain long, written by every acquire and release (a primitive: no GC barrier);
     * the caller compares it with its own id only, after reading the lock word.
     */
    private transient long acquiredBy;
    private static final int SELF_PID = (int) ProcessHandle.current().pid();

    /**
     * A new, free lock in shared memory of its own.
     *
     * @throws ProcessError if the shared memory cannot be created
     */
    public Lock() {
        SyncFile file = SyncFile.create(SyncKind.LOCK, BiasedLock.BYTES, segment -> { });
        this.source = file;
        this.offset = file.base();
        this.remote = null;
    }

    /**
     * A lock over {@link BiasedLock#BYTES} zero (free) bytes at {@code offset} (8-byte aligned) of memory
     * another object owns, e.g. a shared value's file; {@link #close()} then leaves that memory alone.
     */
    Lock(SegmentSource source, long offset) {
        this.source = Objects.requireNonNull(source, "source");
        this.offset = offset;
        this.remote = null;
    }

    /** A lock that is {@code remote}, a cluster's (see the class doc). */
    Lock(LockBackend remote) {
        this.source = null;
        this.offset = 0;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (the lock is not held)
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held
     */
    public void acquire() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (remote != null) {
            remote.acquire(-1, true);
            return;
        }
        BiasedLock c = core();
        if (!c.tryLockFree()) {
            told(mine(c.lock(Waits.never(), true)));
            return;
        }
        acquiredBy = Thread.currentThread().threadId();
    }

    /**
     * Acquires the lock, waiting up to {@code timeout}; zero or negative tries once.
     *
     * @return true if acquired, false if the timeout passed
     * @throws InterruptedException if interrupted while waiting (the lock is not held)
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (remote != null) {
            return remote.acquire(Math.max(0, Timeouts.nanos(timeout)), true);
        }
        return told(mine(core().lock(Waits.deadline(timeout), true)));
    }

    /**
     * Acquires the lock if it is free now (Python's {@code acquire(block=False)}); never blocks.
     *
     * @return true if acquired
     * @throws OwnerDiedException if its holder died and this call took it over: the lock is held
     */
    public boolean tryAcquire() {
        return remote != null ? remote.tryOnce() : told(mine(core().tryLock()));
    }

    /**
     * Releases the lock, whichever thread or process acquired it.
     *
     * @throws IllegalStateException if nobody holds it
     */
    public void release() {
        if (remote != null) {
            remote.release();
            return;
        }
        acquiredBy = 0; // NOTE: before the release: the next holder's record is never overwritten by it
        if (!core().releaseIfHeld()) {
            throw new IllegalStateException("release of " + this + ": it is not held");
        }
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
        BiasedLock c = core();
        if (!c.tryLockFree()) {
            try {
                c.lock(Waits.never(), false);
            } catch (InterruptedException cannotHappen) {
                throw new AssertionError(cannotHappen);
            }
        }
        acquiredBy = Thread.currentThread().threadId();
    }

    /** Acquires the lock, waiting as long as it takes. */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (remote != null) {
            remote.acquire(-1, true);
            return;
        }
        core().lock(Waits.never(), true);
        acquiredBy = Thread.currentThread().threadId();
    }

    /** Acquires the lock if it is free now. */
    @Override
    public boolean tryLock() {
        return remote != null ? remote.tryOnce() : mine(core().tryLock()).held();
    }

    /** Acquires the lock, waiting up to the timeout; zero or negative tries once. */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (remote != null) {
            return remote.acquire(Math.max(0, unit.toNanos(time)), true);
        }
        return mine(core().lock(Waits.deadlineIn(unit.toNanos(time)), true)).held();
    }

    /**
     * As {@link #release()}.
     *
     * @throws IllegalStateException if nobody holds it
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

    /**
     * True if this process holds the lock and, when it was acquired through this object, the current thread
     * acquired it (a condition's check, CPython's {@code _is_mine}). The process comes from the lock's owner
     * word in shared memory; the thread from this object's record, so another object for the same lock in
     * this process (a manager's {@code condition(lock)} keeps its own copy of the lock) has no record, and
     * then any thread of the holding process passes, as a CPython manager condition lets any holder's thread.
     */
    boolean acquiredByCurrentThread() {
        if (remote != null) {
            return remote.isLocked();
        }
        if (!isLocked() || core().ownerPid() != SELF_PID) {
            return false;
        }
        long by = acquiredBy;
        return by == 0 || by == Thread.currentThread().threadId();
    }

    /** For a condition wait: releases the lock (the caller checked that it holds it). */
    int releaseForWait() {
        acquiredBy = 0;
        if (!core().releaseIfHeld()) {
            throw new IllegalMonitorStateException("wait on a condition of " + this + ": the lock is not held");
        }
        return 1;
    }

    /** For the end of a condition wait: {@link #lock()}, but telling a take-over by {@link OwnerDiedException}. */
    void reacquireAfterWait() {
        lockTold();
    }

    /** {@link #lock()}, throwing {@link OwnerDiedException} (lock held) after a take-over. */
    private void lockTold() {
        try {
            told(mine(core().lock(Waits.never(), false)));
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /** The pid holding the lock, 0 if free (a snapshot; tests use it). */
    int ownerPid() {
        return core().ownerPid();
    }

    /** Whether some thread of any process is registered to sleep until a release (a snapshot; tests use it). */
    boolean hasWaiters() {
        return core().hasWaiters();
    }

    /** Whether the lock is biased to a thread now (a snapshot; tests use it). */
    boolean isBiased() {
        return core().isBiased();
    }

    /** Records the current thread as the acquirer if {@code acquired} holds the lock; returns it. */
    private RobustLock.Acquired mine(RobustLock.Acquired acquired) {
        if (acquired.held()) {
            acquiredBy = Thread.currentThread().threadId();
        }
        return acquired;
    }

    private boolean told(RobustLock.Acquired acquired) {
        if (acquired == RobustLock.Acquired.RECOVERED) {
            long dead = core().lastDeadOwnerPid();
            throw new OwnerDiedException("took over " + this + " from pid " + dead + ", which died holding it; it is now held by "
                    + ProcessHandle.current().pid(), dead);
        }
        return acquired.held();
    }

    /** Whether this is a cluster's lock (no conditions, no owner pid). */
    boolean isRemote() {
        return remote != null;
    }



    private BiasedLock core() {
        BiasedLock c = core;
        if (c == null) {
            core = c = new BiasedLock(source.segment(), offset);
        }
        return c;
    }

    @Override
    public String toString() {
        if (remote != null) {
            return "Lock[" + remote + "]";
        }
        return "Lock[" + source + (source instanceof SyncFile ? "" : " @" + offset) + "]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}. */
    void ownedBy(ProcessStamp manager) {
        if (source instanceof SyncFile f) {
            f.ownedBy(manager);
        }
    }

}
