package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.PoolTaskEvent;
import org.multiprocessing4j.internal.pool.PoolState.State;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * Hands a {@link PoolEngine}'s tasks to its workers: assigns each task to a worker or to the pending deque
 * under the pool's lock, sends assigned tasks outside it, refills a worker that answered, takes back an
 * unstarted task for a worker that fell idle, and kills a worker whose task outlives the task timeout.
 * Thread-safe: any thread may submit; relays and starters refill.
 */
/*
 * Implementation notes
 *
 * Dispatch. A worker holds at most `depth` tasks (PREFETCH, or 1 with a task timeout or maxTasksPerChild,
 * where a task's start must be its dispatch): one running, the rest sent ahead into its pipe so that it
 * never waits for the pool between tasks. Sending ahead never makes a task wait behind a busy worker while
 * another is idle (API.md): a worker that falls idle with nothing pending takes back an unstarted task
 * of another worker (newest first, most loaded workers first), and whether the task was started or taken back is decided by one CAS
 * on its slot in that worker's TaskSlots table (see there). Under the pool's lock: a submitted task goes to the least
 * loaded worker that has room, or to the `pending` deque; a worker that answers is refilled. Messages are
 * sent outside the lock by the thread that made the assignment; a relay refills its worker *before* it
 * decodes and delivers the answer (AnswerRelay). A worker sends each answer as soon as its task ends.
 */
final class Dispatcher {
    /**
     * Tasks a worker may hold at once (one running, the rest sent ahead and revocable). Deep enough that a
     * worker of short tasks does not run dry while its relay waits for a CPU: on a machine with fewer cores
     * than busy threads a relay can be descheduled for a scheduler slice (milliseconds), and chunksize-1
     * maps measured 1.5-2.5x faster with 32 than with 8 under load. Large messages are bounded by bytes
     * as well ({@link WorkerLauncher#bytesAheadPerWorker}).
     */
    static final int PREFETCH = 32;

    private final PoolState pool;
    private final Duration taskTimeout;
    /** Fires task timeouts; null without a task timeout. */
    private final ScheduledThreadPoolExecutor timer;
    /** Message bytes a worker may hold beyond its first task ({@link WorkerLauncher#bytesAheadPerWorker}). */
    private final long bytesAhead;

    Dispatcher(PoolState pool, Duration taskTimeout, ScheduledThreadPoolExecutor timer, long bytesAhead) {
        this.pool = pool;
        this.taskTimeout = taskTimeout;
        this.timer = timer;
        this.bytesAhead = bytesAhead;
    }

    /**
     * Queues {@code task}, or sends it at once to the least loaded worker that has room. Refused once the
     * pool is closing (feeders of earlier imap calls are stopped by close itself).
     *
     * @throws IllegalStateException          if the pool no longer takes calls
     * @throws org.multiprocessing4j.BrokenProcessPoolException if the pool is broken
     */
    void submit(Task task) {
        Worker worker;
        synchronized (pool.lock) {
            pool.checkTakingCalls();
            pool.submitted++;
            worker = leastLoadedLocked(task);
            if (worker == null) {
                pool.pending.addLast(task);
                return;
            }
            assignLocked(worker, task);
        }
        send(worker, task);
    }

    /** The live worker holding the fewest tasks, if it can take {@code task} too (lock held). */
    private Worker leastLoadedLocked(Task task) {
        Worker best = null;
        for (Worker w : pool.workers) {
            if (w.assignable() && (best == null || w.queued.size() < best.queued.size())
                    && w.canTake(task, pool.depth, bytesAhead)) {
                best = w;
                if (w.queued.isEmpty()) {
                    break;
                }
            }
        }
        return best;
    }

    private void assignLocked(Worker worker, Task task) {
        int slot = worker.freeSlot();
        worker.useSlot(slot, task.message.length());
        worker.slots.queue(slot);
        task.message.head()[TaskMessages.SLOT_AT] = (byte) slot;
        task.slot = slot;
        task.worker = worker;
        task.sentTo = null;
        task.event = PoolTaskEvent.handedOut(task.event, pool.name, task.id, worker.link.name(), worker.link.pid());
        if (worker.queued.isEmpty()) {
            worker.busySince = System.nanoTime();
        }
        worker.queued.addLast(task);
        worker.handed++;
        pool.running++;
        if (pool.maxTasksPerChild > 0 && worker.handed >= pool.maxTasksPerChild) {
            worker.retiring = true;
        }
        if (timer != null) {
            task.timeout = timer.schedule(() -> timedOut(worker, task), Timeouts.nanos(taskTimeout), TimeUnit.NANOSECONDS);
        }
    }

    private void send(Worker worker, Task task) {
        try {
            worker.link.send(task.message);
        } catch (IOException | RuntimeException e) {
            // The worker is gone, or this thread was interrupted mid-send: the task did not arrive whole.
            // It goes back to the queue; the worker is killed so that its relay replaces it.
            boolean requeued = false;
            synchronized (pool.lock) {
                if (task.worker == worker && worker.queued.remove(task)) {
                    pool.releaseLocked(worker, task, true);
                    worker.killed = true;
                    if (pool.state != State.ENDED && pool.broken == null) {
                        pool.pending.addFirst(task);
                        requeued = true;
                    }
                } else {
                    return;
                }
            }
            worker.link.kill();
            if (!requeued) {
                pool.settle(task, null, new PoolCancellation(pool.name + " ended before the task was sent"));
            }
            return;
        }
        // NOTE: set only now, and only for this assignment: a task may be stolen (its slot byte rewritten)
        // only once its message is whole in this worker's pipe.
        if (task.worker == worker) {
            task.sentTo = worker;
        }
        if (pool.maybeIdle) {
            // A worker that fell idle while this task was in flight could not take it back then.
            rebalance();
        }
    }

    /** Gives every idle worker a task taken back from a busier one, where one can be. */
    private void rebalance() {
        List<Worker> to = new ArrayList<>(2);
        List<Task> moved = new ArrayList<>(2);
        synchronized (pool.lock) {
            boolean idleLeft = false;
            for (Worker w : pool.workers) {
                if (w.assignable() && w.queued.isEmpty() && w.freeSlot() >= 0 && pool.state != State.ENDED && pool.broken == null) {
                    Task t = stealLocked(w);
                    if (t != null) {
                        assignLocked(w, t);
                        to.add(w);
                        moved.add(t);
                    } else {
                        idleLeft = true;
                    }
                }
            }
            pool.maybeIdle = idleLeft;
        }
        for (int i = 0; i < moved.size(); i++) {
            send(to.get(i), moved.get(i));
        }
    }

    /**
     * Sends each of {@code tasks}, already assigned to {@code worker}: as many as go at once together (one
     * wake-up of the worker), the rest one by one. A batch that fails delivered nothing: its tasks take the
     * one-by-one path, whose failure handling requeues them.
     */
    void sendAll(Worker worker, List<Task> tasks) {
        int sent = 0;
        if (tasks.size() > 1) {
            List<EncodedMessage> messages = new ArrayList<>(tasks.size());
            for (Task t : tasks) {
                messages.add(t.message);
            }
            try {
                sent = worker.link.sendNow(messages);
            } catch (IOException | RuntimeException e) {
                sent = 0;
            }
            for (int i = 0; i < sent; i++) {
                Task t = tasks.get(i);
                // NOTE: as in send: whole in this worker's pipe now, so it may be taken back from here on
                if (t.worker == worker) {
                    t.sentTo = worker;
                }
            }
        }
        for (int i = sent; i < tasks.size(); i++) {
            send(worker, tasks.get(i));
        }
        if (sent > 0 && pool.maybeIdle) {
            rebalance();
        }
    }

    /**
     * Gives {@code worker} tasks up to its depth: pending ones first; if none are pending and it holds
     * nothing, one taken back from the most loaded worker that has not started it (lock held). Returns the
     * tasks to send.
     */
    List<Task> refillLocked(Worker worker) {
        if (!worker.assignable() || pool.state == State.ENDED || pool.broken != null) {
            return List.of();
        }
        List<Task> out = null;
        while (!pool.pending.isEmpty() && !worker.retiring && worker.canTake(pool.pending.peekFirst(), pool.depth, bytesAhead)) {
            Task next = pool.pending.pollFirst();
            assignLocked(worker, next);
            if (out == null) {
                out = new ArrayList<>(pool.depth);
            }
            out.add(next);
        }
        if (out == null && worker.queued.isEmpty() && worker.freeSlot() >= 0) {
            Task stolen = stealLocked(worker);
            if (stolen != null) {
                assignLocked(worker, stolen);
                return List.of(stolen);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Takes back, for idle {@code thief}, an unstarted task of another worker (lock held): the newest one
     * that is whole in its pipe, trying the most loaded workers first (a pipe's order may differ from
     * {@code queued}'s when two threads sent to it at once, so every candidate is tried).
     */
    private Task stealLocked(Worker thief) {
        List<Worker> victims = new ArrayList<>(pool.workers);
        victims.remove(thief);
        victims.sort((a, b) -> Integer.compare(b.queued.size(), a.queued.size()));
        for (Worker victim : victims) {
            if (victim.lost || victim.queued.size() < 2) {
                continue;
            }
            for (Iterator<Task> it = victim.queued.descendingIterator(); it.hasNext(); ) {
                Task candidate = it.next();
                if (candidate.sentTo == victim && victim.slots.steal(candidate.slot)) {
                    // NOTE: the victim will answer SKIPPED for this slot; only then is the slot free again.
                    it.remove();
                    pool.releaseLocked(victim, candidate, false);
                    pool.unhandLocked(victim);
                    return candidate;
                }
            }
        }
        return null;
    }

    /** On the timer: {@code task} outlived the task timeout in {@code worker}, which is killed (and so replaced). */
    private void timedOut(Worker worker, Task task) {
        synchronized (pool.lock) {
            if (task.worker != worker || !worker.queued.remove(task)) {
                return;
            }
            pool.releaseLocked(worker, task, false);
            worker.killed = true; // NOTE: killed below: no new task goes to it meanwhile
        }
        Loggers.POOL.log(Level.DEBUG, () -> pool.name + ": task " + task.id + " timed out after " + taskTimeout + " in worker "
                + worker.link.name() + " (pid " + worker.link.pid() + "); the worker is killed and replaced");
        worker.link.kill();
        pool.settle(task, null, new TaskTimeoutException(worker.link.name(), worker.link.pid(), taskTimeout));
    }
}
