package org.multiprocessing4j.internal.pool;

/**
 * The engine's record of one live worker: its link, the task it holds (at most one) and its counters.
 * Fields other than {@code link} and {@code number} are guarded by the engine's lock.
 */
final class Worker {
    final WorkerLink link;
    final int number;
    Thread relay;
    Task current;
    /** Tasks handed to it so far (for maxTasksPerChild). */
    int handed;
    long tasksDone;
    long busySince;
    long busyNanos;
    /** Handed its last task under maxTasksPerChild: it will exit by itself. */
    boolean retiring;
    /** Its end has been handled by {@code workerLost}. */
    boolean lost;

    Worker(WorkerLink link, int number) {
        this.link = link;
        this.number = number;
    }

    @Override
    public String toString() {
        return link.toString();
    }
}
