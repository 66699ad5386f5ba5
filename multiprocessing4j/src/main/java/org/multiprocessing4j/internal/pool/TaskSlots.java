package org.multiprocessing4j.internal.pool;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.multiprocessing4j.internal.shm.FileHeader;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * The table, shared by the pool and one worker, that says whether each task sent ahead to the worker has
 * started: what makes prefetching revocable. The pool may send a worker a few tasks ahead; a worker that
 * falls idle while another still has tasks queued takes one over ("steals" it) in the pool, and exactly
 * one of the two runs it, decided by one CAS on the task's slot.
 *
 * <pre>
 *  0  common header (FileHeader: magic, version, header bytes, capacity = number of slots)
 * 64  slot 0 state (int) | slot 1 state (int) | ...
 * </pre>
 *
 * <p>Slot states: FREE → QUEUED (the pool, before sending the task; the pipe's publication orders it
 * before the message) → STARTED (the worker, CAS, before it runs the task) or STOLEN (the pool, CAS,
 * taking the task back); STARTED → DONE (the worker, CAS, once the task ended, before it answers) or
 * CANCELLED (the pool, CAS, before it kills the worker to stop the task: a worker whose CAS to DONE fails
 * starts nothing more); → FREE again (the pool, once the worker answered the task or answered SKIPPED
 * for a stolen one). A slot's index travels in the task message. When a worker is dead, the state of
 * each of its slots is final: STARTED, DONE or CANCELLED tasks ran (or were running) there, QUEUED ones
 * never started.
 * Thread-safe; the file holds no pointers.
 */
public final class TaskSlots implements AutoCloseable {
    static final int FREE = 0;
    public static final int QUEUED = 1;
    public static final int STARTED = 2;
    static final int STOLEN = 3;
    static final int DONE = 4;
    static final int CANCELLED = 5;

    private static final long MAGIC = 0x6d70346a736c6f74L; // "mp4jslot"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 64;
    private static final VarHandle INT = JAVA_INT.varHandle().withInvokeExactBehavior();

    private final SharedFile file;
    private final MemorySegment segment;
    private final int slots;

    private TaskSlots(SharedFile file, int slots) {
        this(file, file.segment(), slots);
    }

    private TaskSlots(SharedFile file, MemorySegment segment, int slots) {
        this.file = file;
        this.segment = segment;
        this.slots = slots;
    }

    /** A new table of {@code slots} FREE slots in its own shared-memory file. */
    static TaskSlots create(int slots) throws IOException {
        SharedFile file = SharedFile.create(HEADER_BYTES + 4L * slots);
        FileHeader.write(file.segment(), VERSION, HEADER_BYTES, slots);
        FileHeader.publish(file.segment(), MAGIC);
        return new TaskSlots(file, slots);
    }

    /**
     * A table in this JVM's heap, for a worker elsewhere that cannot share memory with the pool: its
     * launcher marks a task STARTED ({@link #start}) once sent, so the pool never takes it back, and, after
     * the worker is gone, QUEUED again ({@link #queue}) if it learns the task never started.
     */
    public static TaskSlots inHeap(int slots) {
        if (slots < 1 || slots > 256) {
            throw new IllegalArgumentException(slots + " task slots: must be 1..256");
        }
        return new TaskSlots(null, MemorySegment.ofArray(new int[HEADER_BYTES / 4 + slots]), slots);
    }

    /** Maps the table at {@code path}, checking its layout. */
    static TaskSlots attach(Path path) throws IOException {
        SharedFile file = SharedFile.attach(path);
        try {
            long slots = FileHeader.check(file.segment(), path, "a pool's task slot table", "slot table", MAGIC, VERSION, HEADER_BYTES);
            if (slots < 1 || slots > 256 || HEADER_BYTES + 4 * slots > file.size()) {
                throw new IOException(path + ": " + slots + " slots do not fit a file of " + file.size() + " bytes");
            }
            return new TaskSlots(file, (int) slots);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    Path path() {
        return file.path();
    }

    public int size() {
        return slots;
    }

    private long at(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("task slot " + slot + " outside 0.." + (slots - 1));
        }
        return HEADER_BYTES + 4L * slot;
    }

    /** The pool: the task about to be sent in {@code slot} has not started. */
    public void queue(int slot) {
        INT.setRelease(segment, at(slot), QUEUED);
    }

    /** The worker: claims the task in {@code slot}; false if the pool took it back. */
    public boolean start(int slot) {
        return INT.compareAndSet(segment, at(slot), QUEUED, STARTED);
    }

    /** The pool: takes back the task in {@code slot}; false if the worker started it. */
    boolean steal(int slot) {
        return INT.compareAndSet(segment, at(slot), QUEUED, STOLEN);
    }

    /**
     * The worker: the task in {@code slot} ended (before its answer is sent); false if the pool is stopping
     * it ({@link #cancelStarted}): the worker is about to be killed and must start nothing more.
     */
    public boolean finish(int slot) {
        return INT.compareAndSet(segment, at(slot), STARTED, DONE);
    }

    /**
     * The pool, before it kills the worker to stop the task in {@code slot}: false if that task has
     * already ended there ({@link #finish}), so that killing the worker would only stop whatever it runs next.
     */
    boolean cancelStarted(int slot) {
        return INT.compareAndSet(segment, at(slot), STARTED, CANCELLED);
    }

    public int state(int slot) {
        return (int) INT.getAcquire(segment, at(slot));
    }

    /** The pool: the slot's task is answered (or skipped); the slot may carry another. */
    void free(int slot) {
        INT.setRelease(segment, at(slot), FREE);
    }

    void unlink() {
        if (file == null) {
            return;
        }
        try {
            file.unlink();
        } catch (IOException | RuntimeException bestEffort) {
            // the tree's sweep removes it
        }
    }

    @Override
    public void close() {
        if (file == null) {
            return;
        }
        try {
            file.close();
        } catch (RuntimeException stillMapped) {
            // the mapping goes with this JVM
        }
    }
}
