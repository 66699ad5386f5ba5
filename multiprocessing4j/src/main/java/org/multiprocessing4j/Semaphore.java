package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.remote.SemaphoreBackend;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.SemaphoreHoldings;
import org.multiprocessing4j.internal.sync.SharedSemaphore;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A counting semaphore shared by threads and processes: Python's {@code multiprocessing.Semaphore}.
 * {@link #acquire()} takes a permit, waiting while there is none; {@link #release()} returns one. Any
 * thread of any process may release, and releases may raise the value above its initial one (use
 * {@link BoundedSemaphore} to forbid that).
 *
 * <table class="striped">
 * <caption>Blocking</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th></tr>
 * <tr><td>{@link #acquire()}</td><td>until a permit is free</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #acquire(Duration)}</td><td>up to the timeout; false if none</td>
 *     <td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #tryAcquire()}</td><td>never (Python's {@code acquire(block=False)}; there is no
 *     timeout to ignore)</td><td>-</td></tr>
 * <tr><td>{@link #release()}</td><td>never (beyond a few stores under an internal lock)</td><td>-</td></tr>
 * </table>
 * A zero or negative timeout tries once. A waiter uses no CPU between futex slices.
 *
 * <p>Owner death: the semaphore records how many permits each process holds (up to
 * {@value SharedSemaphore#SLOTS} live processes at once: a process that finds the record full first gives
 * dead holders' permits back to free their places; beyond that its permits are not tracked). A
 * process killed holding permits (SIGKILL, a crash, {@code Runtime.halt}) does not keep them: an acquirer
 * that finds no permit gives the dead process's permits back and goes on (a semaphore guards no data of
 * its own to repair, so nothing is thrown), and {@link #recoveredPermits()} counts them: the recovery flag
 * that a {@link Lock} reports with {@link OwnerDiedException}. A process that ends in an orderly way
 * (its {@code run()} or {@code main} returns, {@code System.exit}, SIGTERM/SIGINT: its shutdown hooks run)
 * or {@linkplain #close() closes} its handle has <em>consumed</em> the permits it still holds, as in
 * CPython: they never come back, so a consumer that takes items and exits leaves none behind. A release
 * by a process that holds no permit counts as returning one another process acquired.
 *
 * <p>Processes: a {@code Semaphore} is a serializable handle; a child that captures one uses the same
 * semaphore, mapping its shared memory on first use. Memory visibility: everything a thread did before a
 * {@code release()} happens-before everything a thread does after an acquire that took that permit.
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures a semaphore uses one decoded copy, and one mapping of its file, in its worker. The permits held
 * are counted per process, whichever task took them: they come back if the process is killed, and are
 * consumed when it ends in an orderly way or closes that copy. Closing it closes it for every holder in the
 * JVM; the next decode gives a new copy, which maps the file afresh. The creating process's own object is
 * never handed out so (a decode there gives a copy of its own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use; in the creating process it also removes the
 * shared file (processes already using it keep working). Semaphores never closed are removed when the
 * root process of the tree exits.
 *
 * <p>On a cluster: a context whose pool workers are a cluster's (module {@code multiprocessing4j-hazelcast})
 * makes its semaphores on the cluster ({@code ctx.semaphore(n)}), shared by every JVM there, with the same
 * methods; a permit taken by a JVM that dies is not given back (and {@link #recoveredPermits()} stays 0).
 *
 * <p>Thread-safe.
 */
public class Semaphore implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared-memory file holding the counter and its waiters. */
    private final SyncFile file;
    /** The cluster's semaphore this one is, or null for one in shared memory. */
    private final SemaphoreBackend remote;
    private transient volatile SharedSemaphore core;

    /** A semaphore with one permit (Python's default). */
    public Semaphore() {
        this(1);
    }

    /**
     * A semaphore with {@code value} permits.
     *
     * @param value the initial number of permits
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws ProcessError if the shared memory cannot be created
     */
    public Semaphore(int value) {
        this(value, false);
    }

    Semaphore(int value, boolean bounded) {
        checkValue(value);
        this.file = SyncFile.create(SyncKind.SEMAPHORE, SharedSemaphore.BYTES,
                segment -> SharedSemaphore.initialize(segment, SyncFile.BASE, value, bounded));
        this.remote = null;
    }

    /** {@return {@code value}, checked as a semaphore's initial value} */
    static int checkValue(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore value must be 0 or more: " + value);
        }
        return value;
    }

    /** A semaphore that is {@code remote}, a cluster's (see the class doc). */
    Semaphore(SemaphoreBackend remote) {
        this.file = null;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public void acquire() throws InterruptedException {
        if (remote != null) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            remote.acquire(-1, true);
            return;
        }
        core().acquire(Long.MAX_VALUE, true);
    }

    /**
     * Takes a permit, waiting up to {@code timeout}; zero or negative tries once.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return true if a permit was taken, false if the timeout passed
     * @throws InterruptedException if interrupted while waiting (no permit was taken)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (remote != null) {
            return remote.acquire(Math.max(0, Timeouts.nanos(timeout)), true);
        }
        return core().acquire(Waits.deadline(timeout), true);
    }

    /**
     * Takes a permit if one is free now; never blocks.
     *
     * @return true if a permit was taken
     */
    public boolean tryAcquire() {
        try {
            return remote != null ? remote.acquire(0, false) : core().acquire(System.nanoTime(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /**
     * Returns a permit, waking one waiter if any.
     *
     * @throws IllegalStateException for a {@link BoundedSemaphore} already at its initial value, or when the
     *         value is already {@link Integer#MAX_VALUE} (CPython raises {@code ValueError} there too)
     */
    public void release() {
        if (remote != null) {
            remote.release();
            return;
        }
        core().release();
    }

    /**
     * Permits free now (Python's {@code get_value}); a snapshot.
     *
     * @return the number of free permits
     */
    public int getValue() {
        if (remote != null) {
            return remote.value();
        }
        return (int) Math.min(Integer.MAX_VALUE, core().value());
    }

    /**
     * How many permits this semaphore has taken back from processes that were killed (or crashed) holding
     * them, since it was created, counted by whichever process took them back (beyond Python, which has no
     * owner-death recovery); permits of a process that ended normally or closed its handle were consumed
     * and are not counted. A snapshot; it only grows. Exact unless a process dies while giving permits back, which
     * can count those permits twice. Always 0 for a cluster's semaphore, which does not take permits back.
     *
     * @return the number of permits taken back from dead holders so far
     * @throws IllegalStateException if this handle was closed
     */
    public long recoveredPermits() {
        if (remote != null) {
            return 0;
        }
        return core().recovered();
    }

    /**
     * Ends this process's use; the creating process also removes its shared file. If this handle was used
     * in this process, the permits this process still holds in the semaphore (taken through any of its
     * handles) are consumed, as when it ends normally: they are not given back, now or after this process
     * dies, even if it is then killed. On a decoded copy this closes it for every holder in this JVM (see the
     * class doc). Idempotent. Threads of this process still using this handle then fail with
     * {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (file == null) {
            return;
        }
        synchronized (file) {
            if (file.isClosed()) {
                return;
            }
            SharedSemaphore c = core;
            if (c != null) {
                SemaphoreHoldings.consume(c); // NOTE: before the unmapping, which would leave the holdings behind
            }
            file.close();
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same semaphore, if there is one (see the class
     * doc). Package-private and final so that it applies to {@link BoundedSemaphore} too.
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    final Object readResolve() {
        return file == null ? this : file.adopt(this);
    }

    /** Threads of any process asleep in {@link #acquire()}, registered in shared memory (tests). */
    int sleepers() {
        return core().sleepers();
    }

    /** Permits this process holds net of its releases (tests). */
    long heldByThisProcess() {
        return core().heldByThisProcess();
    }

    private SharedSemaphore core() {
        SharedSemaphore c = core;
        return c != null ? c : map();
    }

    /** The first use in this process: maps the file and enters the semaphore for its orderly end. */
    private SharedSemaphore map() {
        synchronized (file) {
            SharedSemaphore c = core;
            if (c == null) {
                c = new SharedSemaphore(file.segment(), file.base());
                SemaphoreHoldings.add(c);
                core = c;
            }
            return c;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (remote != null ? remote : file) + "]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}. */
    void ownedBy(ProcessStamp manager) {
        file.ownedBy(manager);
    }

}
