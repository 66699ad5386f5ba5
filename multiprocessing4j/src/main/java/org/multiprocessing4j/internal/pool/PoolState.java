package org.multiprocessing4j.internal.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.LongAdder;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.internal.events.PoolTaskEvent;

/**
 * What the parts of a {@link PoolEngine} share: the pool's one {@link #lock}, the state it guards (run
 * state, pending tasks, live workers, feeders, relay threads, counters), and the steps every part takes on
 * that state (taking a task out of its worker, settling a task). Fields are guarded by {@link #lock}
 * unless their doc says otherwise; methods named {@code ...Locked} must be called with it held.
 */
/*
 * Implementation notes
 *
 * Ownership. `Worker.queued` holds the tasks a worker was given. Every path that ends a task (answer,
 * death, timeout, terminate, cancel, a failed send, a steal) takes it out of `queued` or `pending` under
 * the lock, so exactly one of them settles it; a late answer for a task settled otherwise is dropped. A
 * task is stolen only after its message is in the pipe whole (`sentTo`, set per assignment), because
 * stealing rewrites the slot byte of the message for the new worker.
 */
final class PoolState {
    enum State { RUNNING, CLOSING, ENDED }

    final String name;
    final int processes;
    final int maxTasksPerChild;
    /** Tasks a worker may hold: {@link Dispatcher#PREFETCH}, or 1 where a task's start must be its dispatch (timeouts, maxTasksPerChild). */
    final int depth;

    /** Guards every mutable field here, and the mutable fields of {@link Worker} and {@link Task}. */
    final Object lock = new Object();
    final ArrayDeque<Task> pending = new ArrayDeque<>();
    final Set<Worker> workers = new LinkedHashSet<>();
    final Set<PoolEngine.Feeder> feeders = new LinkedHashSet<>();
    /**
     * The links of workers started and not READY yet (booting, or in the initializer), which are not in
     * {@link #workers}: terminating or breaking the pool kills them too, so that neither waits for an
     * initializer that may never end.
     */
    final Set<WorkerLink> booting = new LinkedHashSet<>();
    final List<Thread> relays = new ArrayList<>();
    State state = State.RUNNING;
    /**
     * Some worker may hold nothing while others hold unstarted tasks: each completed send then looks for a
     * task to take back ({@code Dispatcher.rebalance}). Set when a worker's queue empties or a worker arrives; cleared
     * by a rebalance that finds no idle worker.
     */
    volatile boolean maybeIdle;
    /** {@code state != RUNNING}, readable without the lock (the relay's hot path asks it). */
    volatile boolean shutdown;
    int starting;
    int running;
    BrokenProcessPoolException broken;
    long submitted;
    /** Not guarded: counted by {@link #settle}, outside the lock. */
    final LongAdder completed = new LongAdder();
    /** Not guarded: counted by {@link #settle}, outside the lock. */
    final LongAdder failed = new LongAdder();
    long deaths;
    long restarts;
    /** Workers in a row that died before answering any task (see {@code WorkerSupervisor.notReady}). */
    int bootDeaths;

    PoolState(String name, int processes, int maxTasksPerChild, int depth) {
        this.name = name;
        this.processes = processes;
        this.maxTasksPerChild = maxTasksPerChild;
        this.depth = depth;
    }

    /** Throws if a new call cannot be accepted now. */
    void checkTakingCalls() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                throw new IllegalStateException(name + " is " + (state == State.CLOSING ? "closed" : "terminated") + ": it takes no new tasks");
            }
            if (broken != null) {
                throw broken("");
            }
        }
    }

    BrokenProcessPoolException broken(String detail) {
        return new BrokenProcessPoolException(broken.getMessage() + detail, broken.getCause());
    }

    /**
     * Takes {@code task} (already removed from {@code worker.queued}) out of its worker (lock held);
     * {@code freeSlot} unless the slot stays in use until the worker's SKIPPED answer.
     */
    void releaseLocked(Worker worker, Task task, boolean freeSlot) {
        if (freeSlot && task.slot >= 0) {
            worker.releaseSlot(task.slot);
            worker.slots.free(task.slot);
        }
        if (worker.queued.isEmpty()) {
            worker.busyNanos += System.nanoTime() - worker.busySince;
            maybeIdle = true;
        }
        task.worker = null;
        task.slot = -1;
        running--;
        if (task.timeout != null) {
            task.timeout.cancel(false);
        }
    }

    /** A task handed to {@code worker} was taken back: it does not count toward maxTasksPerChild (lock held). */
    void unhandLocked(Worker worker) {
        worker.handed--;
        worker.retiring = maxTasksPerChild > 0 && worker.handed >= maxTasksPerChild;
    }

    /**
     * Whether a worker that ended, or died starting, is replaced (lock held): while the pool runs, and while
     * it closes with work left (CPython's closed pool, too, keeps its workers up only while tasks are left).
     */
    boolean replacesWorkersLocked() {
        return state != State.ENDED && broken == null
                && (state == State.RUNNING || !pending.isEmpty() || running > 0 || !feeders.isEmpty());
    }

    /** In CLOSING with nothing left to run: tells every worker to exit (lock held). */
    void finishClosingLocked() {
        if (state == State.CLOSING && pending.isEmpty() && running == 0 && feeders.isEmpty()) {
            for (Worker w : workers) {
                w.link.closeChannel();
            }
        }
    }

    /** Gives {@code task} its outcome, unless it already has one; counts it. No lock held. */
    void settle(Task task, Object value, Throwable error) {
        if (!task.settle()) {
            return;
        }
        PoolTaskEvent.settled(task.event, error);
        if (error == null) {
            completed.increment();
        } else if (!(error instanceof CancellationException)) {
            failed.increment();
        }
        try {
            if (error == null) {
                task.sink.succeeded(task, value);
            } else {
                task.sink.failed(task, error);
            }
        } catch (RuntimeException e) {
            System.err.println(name + ": delivering a task's outcome failed");
            e.printStackTrace();
        }
    }

    PoolStats stats() {
        synchronized (lock) {
            long now = System.nanoTime();
            int started = 0;
            List<PoolStats.WorkerStats> live = new ArrayList<>();
            for (Worker w : workers) {
                boolean running = false;
                for (Task t : w.queued) {
                    int state = t.slot >= 0 ? w.slots.state(t.slot) : TaskSlots.QUEUED;
                    if (state == TaskSlots.STARTED || state == TaskSlots.DONE) { // DONE: ended, its answer on its way
                        running = true;
                        started++;
                    }
                }
                long busyNanos = w.busyNanos + (w.queued.isEmpty() ? 0 : now - w.busySince);
                live.add(new PoolStats.WorkerStats(w.link.name(), w.link.pid(), w.tasksDone, Duration.ofNanos(busyNanos), running));
            }
            return new PoolStats(processes, submitted, completed.sum(), failed.sum(), pending.size() + running - started, started,
                    deaths, restarts, List.copyOf(live));
        }
    }
}
