package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.SharedCondition;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A condition variable shared by threads and processes: Python's {@code multiprocessing.Condition}, also a
 * {@link java.util.concurrent.locks.Condition}. It is bound to a {@link Lock} or {@link RLock} (a new
 * {@code RLock} by default, as in Python) that the caller holds around {@code await} and {@code signal}.
 * Python's {@code wait}/{@code notify}/{@code notify_all} are {@link #await()}, {@link #signal()},
 * {@link #signal(int)} and {@link #signalAll()}.
 *
 * <table class="striped">
 * <caption>Waiting</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th></tr>
 * <tr><td>{@link #await()}</td><td>until signalled</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #await(Duration)}</td><td>until signalled or the timeout; false on timeout</td>
 *     <td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #waitFor(BooleanSupplier, Duration)}</td><td>until the predicate holds or the timeout;
 *     returns its last value</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #awaitUninterruptibly()}</td><td>until signalled</td><td>ignored (status kept)</td></tr>
 * <tr><td>{@link #signal()}, {@link #signal(int)}, {@link #signalAll()}</td><td>never</td><td>-</td></tr>
 * </table>
 * Every wait releases the lock entirely (all holds of an RLock) and takes it back before returning or
 * throwing, whatever the outcome. A zero or negative timeout gives up the lock, takes it back and returns
 * false. Calling any of these without holding the lock throws {@link IllegalMonitorStateException}. For a
 * plain {@code Lock}, which anyone may release, "holding" is Python's check ({@code _is_mine}): this
 * process holds the lock (its owner in shared memory), and the current thread was the last in this
 * process to acquire it through the condition's {@code Lock} object, with no release through that object
 * since. If the lock was acquired through another object for the same lock (a manager's
 * {@code condition(lock)} keeps its own copy of {@code lock}), the condition's object has no record and any
 * thread of the holding process passes, as with a CPython manager's condition.
 *
 * <p>Signals: {@code signal(n)} wakes up to {@code n} threads waiting now, oldest first; a signal when no
 * thread waits is not stored; a waiter whose timeout passed, that was interrupted, or whose manager is gone
 * absorbs no later signal, even while it still waits to take the lock back (the signal goes to a live waiter); a waiter
 * whose process died is skipped (it neither absorbs a signal nor blocks anyone). A waiter interrupted
 * after being signalled returns normally (true) with its interrupt status set, so the signal is not lost.
 *
 * <p>Owner death: if the lock's holder dies while a waiter waits to take it back, the waiter takes it over
 * and {@code await} throws {@link OwnerDiedException} with the lock held. A wait on a manager's condition
 * whose manager is gone throws {@link ManagerUnavailableException} with the lock taken back, as after any
 * wait (if the lock cannot be taken back, why is added to it as suppressed). Taking the lock back does not
 * end with the manager: a waiter whose lock another thread holds waits for its release, as after any wait.
 *
 * <p>Limits: at most {@value SharedCondition#SLOTS} threads wait at once (more throws
 * {@link IllegalStateException}). A waiter uses no CPU between futex slices.
 *
 * <p>Processes: a {@code Condition} is a serializable handle (with its lock); a child that captures one
 * uses the same condition. Memory visibility: that of its lock.
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures a condition uses one decoded copy, and one mapping of its file, in its worker, and its lock,
 * decoded with it, is that lock's decoded copy of the JVM. Closing that copy closes it for every holder in
 * the JVM (the waiters of all its tasks absorb no later signal); the next decode gives a new copy, which
 * maps the file afresh. The creating process's own object is never handed out so (a decode there gives a
 * copy of its own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use (and its own lock's, when it made one); the
 * creating process also removes its shared file. Conditions never closed are removed when the root
 * process of the tree exits. Thread-safe.
 */
public final class Condition implements java.util.concurrent.locks.Condition, Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The lock waiters release and take back. */
    private final ConditionLock lock;
    /** True when the lock was made for this condition (not given by the caller). */
    private final boolean ownsLock;
    /** The shared-memory file holding the waiters' state. */
    private final SyncFile file;
    private transient volatile SharedCondition core;

    /**
     * A condition with a new {@link RLock} of its own (Python's default).
     *
     * @throws ProcessError if the shared memory cannot be created
     */
    public Condition() {
        this(new RLock(), true);
    }

    /**
     * A condition bound to {@code lock}.
     *
     * @param lock the lock the condition waits with
     * @throws ProcessError if the shared memory cannot be created
     * @throws UnsupportedOperationException if {@code lock} is a cluster's lock
     */
    public Condition(Lock lock) {
        this(Objects.requireNonNull(lock, "lock"), false);
    }

    /**
     * A condition bound to {@code lock}.
     *
     * @param lock the lock the condition waits with
     * @throws ProcessError if the shared memory cannot be created
     * @throws UnsupportedOperationException if {@code lock} is a cluster's lock
     */
    public Condition(RLock lock) {
        this(Objects.requireNonNull(lock, "lock"), false);
    }

    private Condition(ConditionLock lock, boolean ownsLock) {
        if (ConditionLock.isRemote(lock)) {
            throw new UnsupportedOperationException("a condition cannot wait with " + lock
                    + ": a cluster's lock has no conditions (a condition waits in shared memory of this machine)");
        }
        this.lock = lock;
        this.ownsLock = ownsLock;
        SyncFile f;
        try {
            f = SyncFile.create(SyncKind.CONDITION, SharedCondition.BYTES, segment -> { });
        } catch (RuntimeException | Error e) {
            if (ownsLock) {
                lock.close();
            }
            throw e;
        }
        this.file = f;
    }

    /**
     * Acquires the underlying lock, as its {@code acquire()}.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void acquire() throws InterruptedException {
        lock.acquire();
    }

    /**
     * Acquires the underlying lock, waiting up to {@code timeout}, as its {@code acquire(Duration)}.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return {@code true} if the lock was acquired
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return lock.acquire(timeout);
    }

    /**
     * Acquires the underlying lock if possible now, as its {@code tryAcquire()}.
     *
     * @return {@code true} if the lock was acquired
     */
    public boolean tryAcquire() {
        return lock.tryAcquire();
    }

    /** Releases the underlying lock, as its {@code release()}. */
    public void release() {
        lock.release();
    }

    /**
     * Releases the lock, waits until signalled, takes the lock back.
     *
     * @throws InterruptedException if interrupted before being signalled (the lock is held again)
     * @throws IllegalMonitorStateException if the lock is not held
     * @throws OwnerDiedException if taking the lock back took it over from a dead holder (it is held)
     */
    @Override
    public void await() throws InterruptedException {
        await(Waits.never(), true);
    }

    /**
     * Releases the lock, waits until signalled or {@code timeout} passes, takes the lock back.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return true if signalled, false on timeout
     * @throws InterruptedException if interrupted before being signalled (the lock is held again)
     * @throws IllegalMonitorStateException if the lock is not held
     * @throws OwnerDiedException if taking the lock back took it over from a dead holder (it is held)
     */
    public boolean await(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return await(Waits.deadline(timeout), true);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return await(Waits.deadlineIn(unit.toNanos(time)), true);
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        long deadline = Waits.deadlineIn(nanosTimeout);
        await(deadline, true);
        return deadline - System.nanoTime();
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        // NOTE: saturating: a date far in the past or future overflowed the subtraction, and Long.MIN_VALUE's date waited for ever
        long millis;
        try {
            millis = Math.subtractExact(deadline.getTime(), System.currentTimeMillis());
        } catch (ArithmeticException overflow) {
            millis = deadline.getTime() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return await(Waits.deadlineIn(TimeUnit.MILLISECONDS.toNanos(millis)), true);
    }

    /** As {@link #await()}, but an interrupt does not end the wait (the interrupt status is kept). */
    @Override
    public void awaitUninterruptibly() {
        try {
            await(Waits.never(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /**
     * Waits until {@code predicate} holds (Python's {@code wait_for} without a timeout): checks it, and
     * waits for a signal while it is false. The caller holds the lock; the predicate runs with it held.
     *
     * @param predicate the condition waited for, evaluated with the lock held
     * @return true
     * @throws InterruptedException if interrupted while waiting (the lock is held again)
     */
    public boolean waitFor(BooleanSupplier predicate) throws InterruptedException {
        Objects.requireNonNull(predicate, "predicate");
        while (!predicate.getAsBoolean()) {
            await();
        }
        return true;
    }

    /**
     * Waits until {@code predicate} holds or {@code timeout} passes (Python's {@code wait_for}): checks it,
     * and waits for a signal while it is false. The caller holds the lock; the predicate runs with it held.
     *
     * @param predicate the condition waited for, evaluated with the lock held
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the predicate's last value (false: the timeout passed first)
     * @throws InterruptedException if interrupted while waiting (the lock is held again)
     * @throws IllegalMonitorStateException if the lock is not held and the predicate is false, whatever the timeout
     */
    public boolean waitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(predicate, "predicate");
        long deadline = Waits.deadline(Objects.requireNonNull(timeout, "timeout"));
        boolean result = predicate.getAsBoolean();
        if (!result && deadline - System.nanoTime() <= 0) {
            checkHeld("waitFor"); // NOTE: as a wait of no time does (Python's wait_for waits once, and its wait checks)
        }
        while (!result) {
            if (deadline - System.nanoTime() <= 0) {
                break;
            }
            await(deadline, true);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Wakes the oldest waiting thread, if any (Python's {@code notify()}).
     *
     * @throws IllegalMonitorStateException if the lock is not held
     */
    @Override
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiting threads, oldest first (Python's {@code notify(n)}); zero or negative
     * wakes none, as in Python.
     *
     * @param n how many waiters to wake
     * @throws IllegalMonitorStateException if the lock is not held (checked first, whatever {@code n})
     */
    public void signal(int n) {
        checkHeld("signal");
        if (n > 0) {
            core().signal(n);
        }
    }

    /**
     * Wakes every waiting thread (Python's {@code notify_all()}).
     *
     * @throws IllegalMonitorStateException if the lock is not held
     */
    @Override
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    /**
     * Ends this process's use of the condition (and of its own lock); the creator removes its file. Threads
     * of this process still waiting through this handle fail with {@link IllegalStateException} and absorb
     * no later signal (it goes to a live waiter of another process); a lock given to the constructor is
     * taken back first, as after any wait (the condition's own lock, closed with it, is not). On a decoded
     * copy this closes it for every holder in this JVM (see the class doc). Idempotent.
     */
    @Override
    public void close() {
        try {
            SharedCondition c = core;
            if (c != null && !file.isClosed()) {
                try {
                    c.withdrawForClose(); // NOTE: this process's waiters through this handle absorb no later signal
                } catch (IllegalStateException alreadyUnmapped) {
                    // closed by a racing close(): it withdrew them
                }
            }
            file.close();
        } finally {
            if (ownsLock) {
                lock.close();
            }
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same condition, if there is one (see the class doc).
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return file.adopt(this);
    }

    /** Threads waiting now, in every process (a snapshot; tests use it). */
    int waiting() {
        return core().waiting();
    }

    private boolean await(long deadline, boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        checkHeld("await");
        SharedCondition c = core();
        int slot = c.register();
        int saved;
        try {
            saved = ConditionLock.releaseForWait(lock);
        } catch (RuntimeException | Error e) {
            c.finish(slot);
            throw e;
        }
        // NOTE: a waiter that gives up (timeout, interrupt) withdraws its slot here, before taking the lock
        // back: a signal sent while another thread holds the lock then goes to a live waiter, not to this one.
        boolean signalled;
        try {
            signalled = c.await(slot, deadline, interruptible);
        } catch (RuntimeException | Error e) {
            // NOTE: the condition was closed under this wait (its slot is gone with the mapping). The caller's
            // lock is taken back all the same, as after any wait, so that its release in a finally block gives
            // up its own hold, not another thread's or process's. The condition's own lock is closed with it:
            // a hold taken back there could never be released, and would block every other process for good.
            // NOTE: a wait ended because the manager that made the condition is gone (ManagerUnavailableException)
            // leaves the mapping open: the lock, the condition's own included, is taken back as after any wait (else
            // the caller's release in its finally block throws IllegalMonitorStateException over this failure), and
            // the slot is freed (else it stays taken for this process's life)
            if (e instanceof ManagerUnavailableException) {
                reacquireAfterFailedWait(saved, e);
                c.finish(slot);
            } else if (!ownsLock) {
                reacquireAfterFailedWait(saved, e);
            }
            throw e;
        }
        OwnerDiedException died = null;
        try {
            ConditionLock.reacquireAfterWait(lock, saved);
        } catch (OwnerDiedException e) {
            died = e;
        }
        c.finish(slot); // with the lock held again: frees the slot (its outcome was settled by await)
        boolean interrupted = interruptible && Thread.interrupted();
        if (died != null) {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw died;
        }
        if (interrupted) {
            if (signalled) {
                Thread.currentThread().interrupt(); // signalled first: keep the signal, report the interrupt by status
                return true;
            }
            throw new InterruptedException();
        }
        return signalled;
    }

    /**
     * Takes the caller's lock back after a wait that failed with {@code failure}; what this throws in turn
     * (the lock closed meanwhile, or {@link OwnerDiedException} with the lock held) is added to
     * {@code failure} as suppressed.
     */
    private void reacquireAfterFailedWait(int saved, Throwable failure) {
        try {
            ConditionLock.reacquireAfterWait(lock, saved);
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    private void checkHeld(String what) {
        file.segment(); // NOTE: first, so that a closed condition says so, not that its (closed) lock is
        if (!ConditionLock.isHeldForCondition(lock)) {
            throw new IllegalMonitorStateException(what + " on " + this + " without holding its lock " + lock);
        }
    }

    private SharedCondition core() {
        SharedCondition c = core;
        if (c == null) {
            core = c = new SharedCondition(file.segment(), file.base());
        }
        return c;
    }

    @Override
    public String toString() {
        return "Condition[" + file + "]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}; its lock too when it was made with it. */
    void ownedBy(ProcessStamp manager) {
        file.ownedBy(manager);
        if (ownsLock) {
            switch (lock) {
                case Lock l -> l.ownedBy(manager);
                case RLock l -> l.ownedBy(manager);
            }
        }
    }

}
