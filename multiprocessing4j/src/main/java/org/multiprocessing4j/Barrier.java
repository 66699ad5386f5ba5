package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.SharedBarrier;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A cyclic barrier shared by threads and processes: Python's {@code multiprocessing.Barrier}.
 * {@code parties} threads, in any processes, each call {@link #await()}; the last to arrive runs the
 * action (if any) and then all of them pass, and the barrier is ready for the next pass.
 *
 * <table class="striped">
 * <caption>Blocking</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th><th>on timeout</th></tr>
 * <tr><td>{@link #await()}</td><td>until the pass completes (or the constructor's timeout)</td>
 *     <td>{@link InterruptedException}, barrier broken</td><td>{@link BrokenBarrierException}, barrier broken</td></tr>
 * <tr><td>{@link #await(Duration)}</td><td>until the pass completes or the timeout</td>
 *     <td>{@link InterruptedException}, barrier broken</td><td>{@link BrokenBarrierException}, barrier broken</td></tr>
 * <tr><td>{@link #abort()}, {@link #reset()}, {@link #isBroken()}, {@link #nWaiting()}</td><td>never
 *     (beyond a few stores under an internal lock)</td><td>-</td><td>-</td></tr>
 * </table>
 * {@code await} returns the arrival index, 0 for the first party of a pass to {@code parties - 1} for the
 * last. One party that times out, is interrupted, or calls {@link #abort()} breaks the barrier for all:
 * every party waiting and every later arrival gets {@link BrokenBarrierException} until {@link #reset()}
 * (Python's rule, and {@link java.util.concurrent.CyclicBarrier}'s for interrupts). {@code reset()}
 * breaks the current pass for those waiting and makes the barrier usable again; while the action runs
 * (every party of the pass arrived) it lets that pass complete and only makes the next one whole, as
 * CPython's and {@code CyclicBarrier}'s {@code reset}, which wait for the action, do.
 *
 * <p>Action: a {@link SerializableRunnable} run once per pass, in the process (and thread) that arrives
 * last, before anyone passes. If it throws, that party's {@code await} throws it and the barrier is
 * broken for the others. Once every party has arrived, a timeout no longer breaks the pass: a party whose
 * timeout passes while the action runs waits for the action and then passes with the others (as in
 * CPython, where it cannot wake before the action ends). A thread arriving while another pass's action
 * runs is not a party of that pass: its timeout breaks the next pass.
 *
 * <p>Death: a party killed while waiting (SIGKILL included) still counts as arrived: the pass completes
 * when the others arrive, and nobody waits for the dead party to leave (CPython's barrier hangs there). A
 * process killed while running the action breaks the barrier for the waiting parties within one futex
 * slice. A waiter uses no CPU between slices.
 *
 * <p>Processes: a {@code Barrier} is a serializable handle (with its action and timeout); a child that
 * captures one uses the same barrier. Memory visibility: everything each party did before its
 * {@code await} happens-before everything every party does after its {@code await} returns.
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures a barrier uses one decoded copy (with its action), and one mapping of its file, in its worker.
 * Closing that copy closes it for every holder in the JVM; the next decode gives a new copy, which maps the
 * file afresh. The creating process's own object is never handed out so (a decode there gives a copy of its
 * own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use; in the creating process it also removes the
 * shared file. Barriers never closed are removed when the root process of the tree exits. Thread-safe.
 */
public final class Barrier implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared-memory file holding the barrier's state. */
    private final SyncFile file;
    /** The number of parties that must arrive to pass. */
    private final int parties;
    /** Run by the last party to arrive; null for none. */
    private final SerializableRunnable action;
    /** The default timeout of {@link #await()}; null for none. */
    private final Duration timeout;
    private transient volatile SharedBarrier core;

    /**
     * A barrier for {@code parties} parties, without action or timeout.
     *
     * @param parties the number of parties (threads in any process) that must call {@code await} to pass
     * @throws IllegalArgumentException if {@code parties} is not positive
     * @throws ProcessError if the shared memory cannot be created
     */
    public Barrier(int parties) {
        this(parties, null, null);
    }

    /**
     * A barrier for {@code parties} parties whose last arrival runs {@code action} (may be null).
     *
     * @param parties the number of parties (threads in any process) that must call {@code await} to pass
     * @param action run by the last party to arrive, before any is released; or {@code null}
     * @throws IllegalArgumentException if {@code parties} is not positive
     * @throws ProcessError if the shared memory cannot be created
     */
    public Barrier(int parties, SerializableRunnable action) {
        this(parties, action, null);
    }

    /**
     * A barrier for {@code parties} parties whose last arrival runs {@code action} (may be null), and
     * whose {@link #await()} waits at most {@code timeout} (null for no limit).
     *
     * @param parties the number of parties (threads in any process) that must call {@code await} to pass
     * @param action run by the last party to arrive, before any is released; or {@code null}
     * @param timeout the default timeout of {@link #await()}, or {@code null} for none
     * @throws IllegalArgumentException if {@code parties} is not positive (or above 2^30 - 1)
     * @throws ProcessError if the shared memory cannot be created
     */
    public Barrier(int parties, SerializableRunnable action, Duration timeout) {
        if (parties <= 0 || parties > SharedBarrier.MAX_PARTIES) {
            throw new IllegalArgumentException("a barrier needs 1 to " + SharedBarrier.MAX_PARTIES + " parties, not " + parties);
        }
        this.parties = parties;
        this.action = action;
        this.timeout = timeout;
        this.file = SyncFile.create(SyncKind.BARRIER, SharedBarrier.BYTES,
                segment -> SharedBarrier.initialize(segment, SyncFile.BASE, parties));
    }

    /**
     * Arrives and waits for the others, up to the constructor's timeout if it has one.
     *
     * @return the arrival index: 0 for the first party of the pass, {@code parties() - 1} for the last
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting, or the timeout passed
     *         (which breaks it)
     * @throws InterruptedException if interrupted while waiting (which breaks it for the others)
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        return await(timeout != null ? Waits.deadline(timeout) : Waits.never(), timeout);
    }

    /**
     * Arrives and waits for the others, up to {@code timeout}.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the arrival index: 0 for the first party of the pass, {@code parties() - 1} for the last
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting, or the timeout passed
     *         (which breaks it for every party)
     * @throws InterruptedException if interrupted while waiting (which breaks it for the others)
     */
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException {
        Objects.requireNonNull(timeout, "timeout");
        return await(Waits.deadline(timeout), timeout);
    }

    private int await(long deadline, Duration timeout) throws InterruptedException, BrokenBarrierException {
        if (Thread.interrupted()) {
            // NOTE: an arrival already interrupted breaks the barrier for the others too (CyclicBarrier's rule,
            // and this class's): without it a party waiting elsewhere would wait on for a pass that cannot come
            core().breakByInterruptedArrival();
            throw new InterruptedException("interrupted on arrival at " + this + "; it is now broken");
        }
        int[] index = new int[1];
        SharedBarrier.Outcome outcome = core().await(action == null ? null : action::run, deadline, index);
        return switch (outcome) {
            case PASSED -> index[0];
            case BROKEN -> throw new BrokenBarrierException(this + " is broken");
            case TIMED_OUT -> throw new BrokenBarrierException("timed out after " + timeout + " at " + this
                    + " (arrived as party " + index[0] + "); it is now broken");
            case INTERRUPTED -> {
                Thread.interrupted();
                throw new InterruptedException("interrupted while waiting at " + this + "; it is now broken");
            }
        };
    }

    /** Breaks the barrier: parties waiting and arriving get {@link BrokenBarrierException} until {@link #reset()}. */
    public void abort() {
        core().abort();
    }

    /**
     * Back to the initial state: parties waiting now get {@link BrokenBarrierException}; later ones start a new
     * pass. While a live process runs the action, every party of that pass has arrived: the pass completes (its
     * parties pass), and the next pass is whole even if an arrival broke it meanwhile ({@link #abort()} and then
     * {@code reset()} give up on an action that never ends). Never blocks.
     */
    public void reset() {
        core().reset();
    }

    /** {@return {@code true} if the barrier is broken (until {@link #reset()})} */
    public boolean isBroken() {
        return core().isBroken();
    }

    /**
     * Parties waiting in the current pass, in every process (a snapshot): while the last one runs the action,
     * all of them, as Python's {@code n_waiting}; 0 while the barrier is broken.
     *
     * @return the number of parties waiting in the current pass
     */
    public int nWaiting() {
        return core().waiting();
    }

    /** {@return the number of parties a pass needs} */
    public int parties() {
        return parties;
    }

    /**
     * Ends this process's use of the barrier; the creating process also removes its shared file. On a
     * decoded copy this closes it for every holder in this JVM (see the class doc). Idempotent.
     */
    @Override
    public void close() {
        file.close();
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same barrier, if there is one (see the class doc).
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return file.adopt(this);
    }

    private SharedBarrier core() {
        SharedBarrier c = core;
        if (c == null) {
            core = c = new SharedBarrier(file.segment(), file.base());
        }
        return c;
    }

    @Override
    public String toString() {
        return "Barrier[" + file + ", " + parties + " parties]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}. */
    void ownedBy(ProcessStamp manager) {
        file.ownedBy(manager);
    }

}
