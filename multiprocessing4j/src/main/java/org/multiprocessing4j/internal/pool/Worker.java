package org.multiprocessing4j.internal.pool;

import java.util.ArrayDeque;

/**
 * The engine's record of one live worker: its link, the tasks sent to it and not yet answered (in the
 * order it reads them), which of its slots are in use, and its counters. Fields other than {@code link}
 * and {@code number} are guarded by the engine's lock.
 */
final class Worker {
    final WorkerLink link;
    final int number;
    final TaskSlots slots;
    /** Tasks assigned to it (sent or being sent), in assignment order; their slots are QUEUED or STARTED. */
    final ArrayDeque<Task> queued = new ArrayDeque<>();
    /** Slots in use: by a queued task, or by a stolen one whose SKIPPED answer has not come back. */
    final boolean[] slotUsed;
    Thread relay;
    /** Tasks handed to it so far (for maxTasksPerChild). */
    int handed;
    long tasksDone;
    long busySince;
    long busyNanos;
    /** Handed its last task under maxTasksPerChild: it will exit by itself. */
    boolean retiring;
    /** Its end is being handled by {@code workerLost}: nothing more is assigned to it. */
    boolean lost;

    Worker(WorkerLink link, int number) {
        this.link = link;
        this.number = number;
        this.slots = link.slots();
        this.slotUsed = new boolean[slots.size()];
    }

    /** A slot not in use, or -1. */
    int freeSlot() {
        for (int i = 0; i < slotUsed.length; i++) {
            if (!slotUsed[i]) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return link.toString();
    }
}
