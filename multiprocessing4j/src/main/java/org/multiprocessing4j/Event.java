package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.remote.EventBackend;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.sync.SharedEvent;
import org.multiprocessing4j.internal.sync.SyncFile;
import org.multiprocessing4j.internal.sync.SyncKind;
import org.multiprocessing4j.internal.sync.Waits;

/**
 * A flag shared by threads and processes that threads can wait for: Python's
 * {@code multiprocessing.Event}. It starts cleared; {@link #set()} wakes every waiter, in any process.
 *
 * <table class="striped">
 * <caption>Blocking</caption>
 * <tr><th>method</th><th>blocks</th><th>on interrupt</th></tr>
 * <tr><td>{@link #await()}</td><td>until set</td><td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #await(Duration)}</td><td>until set or the timeout; false on timeout</td>
 *     <td>{@link InterruptedException}</td></tr>
 * <tr><td>{@link #set()}, {@link #clear()}, {@link #isSet()}</td><td>never</td><td>-</td></tr>
 * </table>
 * A zero or negative timeout looks once. A wait returns true if the event was set while it waited, even
 * if it was cleared again before the waiter woke (Python's rule). A waiter uses no CPU between futex
 * slices. A process that dies while waiting does not affect the others.
 *
 * <p>Processes: an {@code Event} is a serializable handle; a child that captures one uses the same event,
 * mapping its shared memory on first use. Memory visibility: everything a thread did before
 * {@code set()} happens-before everything a thread does after an {@code await} that returns true because
 * of it (or an {@code isSet()} that returns true).
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task that
 * captures an event uses one decoded copy, and one mapping of its file, in its worker. Closing that copy
 * closes it for every holder in the JVM; the next decode gives a new copy, which maps the file afresh. The
 * creating process's own object is never handed out so (a decode there gives a copy of its own).
 *
 * <p>Lifetime: {@link #close()} ends this process's use; in the creating process it also removes the
 * shared file (processes already using it keep working). Events never closed are removed when the root
 * process of the tree exits.
 *
 * <p>On a cluster: a context whose pool workers are a cluster's (module {@code multiprocessing4j-hazelcast})
 * makes its events on the cluster ({@code ctx.event()}), shared by every JVM there, with the same methods
 * and rules; a waiter there looks every 5 to 100 ms instead of sleeping on a futex.
 *
 * <p>Thread-safe.
 */
public final class Event implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared-memory file holding the flag and its waiters. */
    private final SyncFile file;
    /** The cluster's event this one is, or null for one in shared memory. */
    private final EventBackend remote;
    private transient volatile SharedEvent core;

    /**
     * A new, cleared event.
     *
     * @throws ProcessError if the shared memory cannot be created
     */
    public Event() {
        this.file = SyncFile.create(SyncKind.EVENT, SharedEvent.BYTES, segment -> { });
        this.remote = null;
    }

    /** An event that is {@code remote}, a cluster's (see the class doc). */
    Event(EventBackend remote) {
        this.file = null;
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /** {@return {@code true} if the flag is set now} */
    public boolean isSet() {
        return remote != null ? remote.isSet() : core().isSet();
    }

    /** Sets the flag and wakes every waiter, in every process. No effect if already set. */
    public void set() {
        if (remote != null) {
            remote.set();
            return;
        }
        core().set();
    }

    /** Clears the flag. No effect if already clear. */
    public void clear() {
        if (remote != null) {
            remote.clear();
            return;
        }
        core().clear();
    }

    /**
     * Waits until the flag is set; returns at once if it is.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        if (remote != null) {
            remote.await(-1);
            return;
        }
        core().await(Waits.never());
    }

    /**
     * Waits until the flag is set or {@code timeout} passes; zero or negative looks once.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return true if the flag is set (or was set during the wait), false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (remote != null) {
            return remote.await(Math.max(0, Timeouts.nanos(timeout)));
        }
        return core().await(Waits.deadline(timeout));
    }

    /**
     * Ends this process's use of the event; the creating process also removes its shared file. On a
     * decoded copy this closes it for every holder in this JVM (see the class doc). Idempotent.
     */
    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same event, if there is one (see the class doc).
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return file == null ? this : file.adopt(this);
    }

    private SharedEvent core() {
        SharedEvent c = core;
        if (c == null) {
            core = c = new SharedEvent(file.segment(), file.base());
        }
        return c;
    }

    @Override
    public String toString() {
        return "Event[" + (remote != null ? remote : file) + "]";
    }
    /** Marks this object as made by the manager process {@code manager}: see {@link SyncFile#ownedBy}. */
    void ownedBy(ProcessStamp manager) {
        file.ownedBy(manager);
    }

}
