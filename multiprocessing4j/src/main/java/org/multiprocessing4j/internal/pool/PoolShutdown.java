package org.multiprocessing4j.internal.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.PoolTaskEvent;
import org.multiprocessing4j.internal.pool.PoolState.State;

/**
 * Ends a {@link PoolEngine} and its tasks: close (RUNNING → CLOSING), terminate (any → ENDED), breaking the
 * pool, cancelling tasks (all unstarted ones, or one), and waiting for termination. Thread-safe.
 */
final class PoolShutdown {
    private final PoolState pool;
    /** The engine's own threads, ended once the pool terminated. */
    private final CallbackThread callbacks;
    private final ExecutorService starters;
    private final ScheduledThreadPoolExecutor timer;
    /** The stages of the pool's futures, waited for by {@link #awaitTermination} (all but the caller's own). */
    private final StageRunner stages;

    PoolShutdown(PoolState pool, CallbackThread callbacks, ExecutorService starters, ScheduledThreadPoolExecutor timer, StageRunner stages) {
        this.stages = stages;
        this.pool = pool;
        this.callbacks = callbacks;
        this.starters = starters;
        this.timer = timer;
    }

    /** Stops taking calls; queued tasks finish, then the workers exit. Returns at once. */
    void close() {
        List<PoolEngine.Feeder> stopped;
        synchronized (pool.lock) {
            if (pool.state != State.RUNNING) {
                return;
            }
            pool.state = State.CLOSING;
            pool.shutdown = true;
            stopped = new ArrayList<>(pool.feeders);
            pool.feeders.clear(); // NOTE: a stopped feeder submits nothing more; close never waits for its input
            pool.finishClosingLocked();
        }
        Loggers.POOL.log(Level.DEBUG, () -> pool.name + " closing: queued tasks finish, then the workers exit");
        for (PoolEngine.Feeder f : stopped) {
            f.stopFeeding(new IllegalStateException(pool.name + " was closed before this call's input was read to the end"));
        }
    }

    /** Kills every worker now (SIGKILL); tasks not finished are cancelled. Returns at once. Idempotent. */
    void terminate() {
        List<Task> cancelled = new ArrayList<>();
        List<Worker> all;
        List<WorkerLink> booting;
        List<PoolEngine.Feeder> stopped;
        boolean first;
        synchronized (pool.lock) {
            first = pool.state != State.ENDED;
            pool.state = State.ENDED;
            pool.shutdown = true;
            cancelled.addAll(pool.pending);
            pool.pending.clear();
            for (Worker w : pool.workers) {
                drainLocked(w, cancelled);
            }
            all = new ArrayList<>(pool.workers);
            booting = new ArrayList<>(pool.booting);
            stopped = new ArrayList<>(pool.feeders);
            pool.lock.notifyAll();
        }
        if (first) {
            Loggers.POOL.log(Level.DEBUG, () -> pool.name + " terminating: its workers are killed");
        }
        CancellationException why = new PoolCancellation(pool.name + " was terminated");
        for (PoolEngine.Feeder f : stopped) {
            f.stopFeeding(why);
        }
        for (Task t : cancelled) {
            pool.settle(t, null, new PoolCancellation(pool.name + " was terminated before the task finished"));
        }
        for (Worker w : all) {
            w.link.kill();
        }
        for (WorkerLink link : booting) {
            link.kill(); // NOTE: not READY yet: its starter sees it end and cleans up (see WorkerSupervisor.notReady)
        }
    }

    /**
     * Makes the pool broken (the first cause wins): fails every pending and held task with {@link
     * BrokenProcessPoolException}, stops the feeders and kills the workers.
     */
    void breakPool(String why, Throwable cause) {
        List<Task> lost = new ArrayList<>();
        List<Worker> all;
        List<WorkerLink> booting;
        List<PoolEngine.Feeder> stopped;
        BrokenProcessPoolException error;
        boolean first = false;
        synchronized (pool.lock) {
            if (pool.broken == null) {
                pool.broken = new BrokenProcessPoolException(why + " (the pool is broken: pending and later tasks fail)", cause);
                first = true;
            }
            error = pool.broken;
            lost.addAll(pool.pending);
            pool.pending.clear();
            for (Worker w : pool.workers) {
                drainLocked(w, lost);
            }
            all = new ArrayList<>(pool.workers);
            booting = new ArrayList<>(pool.booting);
            stopped = new ArrayList<>(pool.feeders);
            pool.lock.notifyAll();
        }
        if (first) {
            Loggers.POOL.log(Level.WARNING, error.getMessage(), cause);
        }
        for (PoolEngine.Feeder f : stopped) {
            f.stopFeeding(error);
        }
        for (Task t : lost) {
            pool.settle(t, null, new BrokenProcessPoolException(error.getMessage(), error.getCause()));
        }
        for (Worker w : all) {
            w.link.kill();
        }
        for (WorkerLink link : booting) {
            link.kill(); // NOTE: not READY yet: its starter sees it end and cleans up (see WorkerSupervisor.notReady)
        }
    }

    /** Moves every task {@code worker} holds into {@code into} (lock held). */
    private void drainLocked(Worker worker, List<Task> into) {
        while (!worker.queued.isEmpty()) {
            Task t = worker.queued.pollFirst();
            pool.releaseLocked(worker, t, false);
            into.add(t);
        }
    }

    /**
     * Tasks that never reached a worker, removed from the queue and cancelled (for {@code shutdownNow} and
     * {@code shutdown(wait, cancelFutures)}); returns their origins. With {@code beingSentToo} (only where every
     * worker is killed right after: {@code shutdownNow}), a task whose message is still being written into a
     * worker's pipe is withdrawn too.
     */
    List<Object> drainPending(boolean beingSentToo) {
        List<Task> drained;
        synchronized (pool.lock) {
            drained = new ArrayList<>(pool.pending);
            pool.pending.clear();
            for (Worker w : pool.workers) {
                for (Iterator<Task> it = w.queued.descendingIterator(); it.hasNext(); ) {
                    Task t = it.next();
                    // NOTE: a task still being sent has not started (the worker starts it only once it read it whole).
                    // It may be withdrawn here, unlike for a steal, because it goes to no other worker: its message's
                    // slot byte is not rewritten. Its worker answers SKIPPED if it gets the message before terminate
                    // kills it; the slot stays in use meanwhile. Skipped before, it was cancelled by terminate but
                    // missing from shutdownNow's list, although it never started.
                    if ((t.sentTo == w || beingSentToo) && w.slots.steal(t.slot)) {
                        it.remove();
                        pool.releaseLocked(w, t, false);
                        pool.unhandLocked(w);
                        drained.add(t);
                    }
                }
            }
            pool.finishClosingLocked();
        }
        List<Object> origins = new ArrayList<>();
        for (Task t : drained) {
            if (t.origin != null) {
                origins.add(t.origin);
            }
            pool.settle(t, null, new PoolCancellation("cancelled before it started"));
        }
        return origins;
    }

    /**
     * Removes {@code task} if no worker has started it (queued in the pool, or sent ahead and taken back);
     * true if it was removed and so will never run. The caller settles it.
     */
    boolean cancelPending(Task task) {
        boolean interrupted = false;
        try {
            synchronized (pool.lock) {
                // NOTE: a task assigned to a worker whose message is still being sent (sentTo not yet that worker) has
                // not started, but cannot be taken back before its message is whole in the pipe: wait for the send
                // to end (it then is whole there, or it failed and the task is back in `pending` or settled). Sends
                // are not made under this lock, and a failed one takes it, so waiting here (which releases it) is safe.
                // The wait is uninterruptible: Future.cancel has no interrupt semantics, and an interrupted wait
                // that gave up made cancel(true) return false for a task that then ran to completion.
                while (!task.settled() && task.worker != null && task.sentTo != task.worker) {
                    try {
                        pool.lock.wait(1);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return cancelPendingLocked(task);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #cancelPending} once no send of {@code task} is under way (lock held). */
    private boolean cancelPendingLocked(Task task) {
        if (task.settled()) {
            return false;
        }
        if (pool.pending.remove(task)) {
            task.settle();
            PoolTaskEvent.cancelled(task.event);
            pool.finishClosingLocked();
            return true;
        }
        Worker w = task.worker;
        if (w != null && task.sentTo == w && w.slots.steal(task.slot)) {
            w.queued.remove(task);
            pool.releaseLocked(w, task, false);
            pool.unhandLocked(w);
            task.settle();
            PoolTaskEvent.cancelled(task.event);
            pool.finishClosingLocked();
            return true;
        }
        return false;
    }

    /**
     * Stops {@code task} if a worker has started it, by killing that worker (it is replaced); true if it
     * did. The task's sink is not called: the caller settles it.
     */
    boolean cancelRunning(Task task) {
        Worker worker;
        synchronized (pool.lock) {
            worker = task.worker;
            if (worker == null || task.settled() || task.sentTo != worker || task.slot < 0
                    || worker.slots.state(task.slot) != TaskSlots.STARTED || !worker.queued.contains(task)) {
                return false; // not started (cancelPending's case), not yet whole in the pipe, or ended there
            }
            if (!worker.slots.cancelStarted(task.slot)) {
                // NOTE: it ended in the worker just now (its answer is on its way): killing the worker would
                // only stop the task it runs next, which would fail with WorkerDiedException
                return false;
            }
            worker.queued.remove(task);
            pool.releaseLocked(worker, task, false);
            task.settle();
            PoolTaskEvent.cancelled(task.event);
            worker.killed = true; // NOTE: killed below: no new task goes to it meanwhile
        }
        worker.link.kill();
        return true;
    }

    boolean isShutdown() {
        synchronized (pool.lock) {
            return pool.state != State.RUNNING;
        }
    }

    /**
     * Whether the pool was closed or terminated and is done: every worker gone, and its relays, result
     * callbacks and future stages ended (all but the caller's own). Never blocks. True exactly when
     * {@link #awaitTermination} would return true at once.
     */
    boolean isTerminated() {
        List<Thread> threads;
        synchronized (pool.lock) {
            if (!terminatedLocked()) {
                return false;
            }
            threads = new ArrayList<>(pool.relays);
        }
        // NOTE: the same conditions as awaitTermination's, in its order: otherwise isTerminated() said true
        // while awaitTermination(0) said false, a stage of a future still running (ExecutorService wants one answer)
        for (Thread t : threads) {
            if (t.isAlive()) {
                return false;
            }
        }
        return callbacks.isIdle() && stages.isIdle();
    }

    private boolean terminatedLocked() {
        return pool.state != State.RUNNING && pool.workers.isEmpty() && pool.starting == 0 && pool.pending.isEmpty() && pool.running == 0;
    }

    /**
     * Waits until {@link #isTerminated()} or the timeout passes (null: no limit); a running pool terminates
     * only after {@link #close()} or {@link #terminate()}. Returns whether it terminated.
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + Timeouts.nanos(timeout);
        List<Thread> threads;
        synchronized (pool.lock) {
            while (!terminatedLocked()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(pool.lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            threads = new ArrayList<>(pool.relays);
        }
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (timeout != null && left <= 0) {
                return false;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, Long.MAX_VALUE / 2))));
            if (t.isAlive()) {
                return false; // the timeout passed during the join
            }
        }
        // NOTE: callbacks first: a callback's result completes its future, which hands that future's stages over
        if (!callbacks.awaitIdle(deadline) || !stages.awaitIdle(deadline)) {
            return false;
        }
        releaseThreads();
        return true;
    }

    /** Ends the engine's own threads (after the workers are gone). */
    private void releaseThreads() {
        callbacks.shutdown();
        starters.shutdown();
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
