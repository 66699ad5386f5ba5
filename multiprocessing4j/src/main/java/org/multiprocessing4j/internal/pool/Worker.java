package org.multiprocessing4j.internal.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import org.multiprocessing4j.internal.events.Loggers;

/**
 * The engine's record of one live worker: its link, the tasks sent to it and not yet answered (in the
 * order it reads them), which of its slots are in use, and its counters. Fields other than {@code link}
 * and {@code number} are guarded by the engine's lock.
 */
final class Worker {
    /** How long a worker whose pipe ended may take to exit before it is killed. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(2);
    /** How long a normal end takes before the pool logs that it waits for it. */
    private static final Duration PATIENCE_NOTICE = Duration.ofSeconds(10);

    final WorkerLink link;
    final int number;
    final TaskSlots slots;
    /** Tasks assigned to it (sent or being sent), in assignment order; their slots are QUEUED or STARTED. */
    final ArrayDeque<Task> queued = new ArrayDeque<>();
    /** Slots in use: by a queued task, or by a stolen one whose SKIPPED answer has not come back. */
    final boolean[] slotUsed;
    /** The message length of the task in each slot in use. */
    private final int[] slotBytes;
    /**
     * Message bytes of the slots in use: at least what sits unread in the worker's pipe (a message leaves
     * the pipe before its slot is freed).
     */
    long bytesAhead;
    /** How many of {@link #slotUsed} are true. */
    private int slotsInUse;
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
    /**
     * Killed by the pool (a cancelled or timed-out task, a failed send): nothing more is assigned to it, though
     * its relay has not yet seen it end ({@code lost}).
     */
    boolean killed;

    Worker(WorkerLink link, int number) {
        this.link = link;
        this.number = number;
        this.slots = link.slots();
        this.slotUsed = new boolean[slots.size()];
        this.slotBytes = new int[slots.size()];
    }

    /** Whether tasks may be assigned to it: not retiring, not killed, not lost (pool lock held). */
    boolean assignable() {
        return !lost && !killed && !retiring;
    }

    /** Marks {@code slot} in use by a message of {@code bytes} bytes. */
    void useSlot(int slot, int bytes) {
        slotUsed[slot] = true;
        slotBytes[slot] = bytes;
        bytesAhead += bytes;
        slotsInUse++;
    }

    /** Marks {@code slot} free again. */
    void releaseSlot(int slot) {
        if (slotUsed[slot]) {
            slotUsed[slot] = false;
            slotsInUse--;
            bytesAhead -= slotBytes[slot];
            slotBytes[slot] = 0;
        }
    }

    /**
     * Whether this worker may be handed {@code task} now, holding at most {@code depth} tasks and at most
     * {@code budget} message bytes: a worker that holds no task takes any task (a long message then streams
     * through its pipe as the idle worker reads it); otherwise the bytes of what it holds plus the task's
     * must stay within the budget, which the launcher sets so that a send never waits for pipe space
     * behind a running task.
     */
    boolean canTake(Task task, int depth, long budget) {
        if (freeSlot() < 0) {
            return false;
        }
        return queued.isEmpty() || (queued.size() < depth && bytesAhead + task.message.length() <= budget);
    }

    /** A slot not in use, or -1. */
    int freeSlot() {
        if (slotsInUse == slotUsed.length) {
            return -1;
        }
        for (int i = 0; i < slotUsed.length; i++) {
            if (!slotUsed[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The exit code of this worker once its pipe ended ({@code -N}: signal {@code N}), killing it if it
     * does not exit within the grace; -9 if even that cannot be confirmed. Keeps the interrupt flag.
     */
    int awaitExitCode() {
        return awaitExitCode(false);
    }

    /**
     * As {@link #awaitExitCode()}; when {@code patient} (a worker that ends normally: the pool let it go, or it
     * retired, holding no task) it is not killed for taking long: its end waits until the items its tasks put on
     * a queue are in, which would be lost with it (WorkerLoop's leave; as a Process's exit, and CPython's workers'
     * finalizers), and it exits at once after that. {@code terminate()} still kills it.
     */
    int awaitExitCode(boolean patient) {
        if (patient) {
            boolean interrupted = false;
            long since = System.nanoTime();
            boolean told = false;
            Integer exit = null;
            while (exit == null) {
                try {
                    exit = link.awaitExit(EXIT_GRACE);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (exit == null && !told && System.nanoTime() - since > PATIENCE_NOTICE.toNanos()) {
                    told = true;
                    Loggers.POOL.log(Level.WARNING, () -> link.name() + " (pid " + link.pid() + ") has been ending for "
                            + PATIENCE_NOTICE.toSeconds() + " s: it waits until items its tasks put on a queue are taken");
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return exit;
        }
        boolean interrupted = false;
        Integer exit = null;
        for (int attempt = 0; attempt < 2 && exit == null; attempt++) {
            try {
                exit = link.awaitExit(EXIT_GRACE);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (exit == null) {
                link.kill();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return exit == null ? -9 : exit;
    }

    @Override
    public String toString() {
        return link.toString();
    }
}
