package org.multiprocessing4j.internal.pool;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.multiprocessing4j.internal.events.PoolTaskEvent;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * One unit of work sent to one worker: a single call or one chunk of a map. Its message is encoded by the
 * submitting thread, so a task that cannot be serialized fails there; large {@code byte[]} arguments in it
 * are referenced, and copied into the worker's pipe when the task is sent ({@link EncodedMessage}).
 * Mutable fields are guarded by the engine's lock.
 */
final class Task {
    final long id;
    final EncodedMessage message;
    final TaskSink sink;
    /** The job's own index of this task (a chunk number), for the sink. */
    final int index;
    /** The user's object behind this task, handed back by {@code shutdownNow}; may be null. */
    final Object origin;

    /** The worker holding it, while it is in flight. */
    Worker worker;
    /** Its slot in that worker's {@link TaskSlots}. */
    int slot = -1;
    /**
     * The worker whose pipe holds this task's message whole, for the current assignment (null until the
     * send completes). Only then may the task be taken back: that rewrites the message's slot byte.
     */
    volatile Worker sentTo;
    ScheduledFuture<?> timeout;
    /** Its Flight Recorder event from its first hand-out; null while no recording takes those events. */
    PoolTaskEvent event;
    /** Set once the task has an outcome (or was cancelled); later outcomes are dropped. */
    private final AtomicBoolean settled = new AtomicBoolean();

    /** Marks the task settled; false if it was already. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    boolean settled() {
        return settled.get();
    }

    Task(long id, EncodedMessage message, TaskSink sink, int index, Object origin) {
        this.id = id;
        this.message = message;
        this.sink = sink;
        this.index = index;
        this.origin = origin;
    }
}
