package org.multiprocessing4j.internal.pool;

/**
 * Where a task's outcome goes: the job (an apply, a map, an imap) it belongs to. The engine calls at most
 * one of the two methods once per task, from a relay, timer or caller thread (neither for a task whose
 * future was cancelled by its caller, which settles it itself); implementations are thread-safe and return
 * quickly.
 */
interface TaskSink {
    /** The task's decoded result. */
    void succeeded(Task task, Object value);

    /**
     * The task failed: the task's own exception (annotated with its worker),
     * {@link org.multiprocessing4j.WorkerDiedException}, {@link org.multiprocessing4j.TaskTimeoutException},
     * {@link org.multiprocessing4j.BrokenProcessPoolException}, or
     * {@link java.util.concurrent.CancellationException} after terminate.
     */
    void failed(Task task, Throwable error);

    /**
     * True if a task's value is a chunk of results this job only reads (a map's or an imap's): a chunk of
     * only {@code Integer}s or only {@code Long}s then arrives as a
     * {@link org.multiprocessing4j.internal.wire.PackedList}, its numbers unboxed.
     */
    default boolean packedResults() {
        return false;
    }
}
