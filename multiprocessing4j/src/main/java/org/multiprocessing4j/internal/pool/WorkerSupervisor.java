package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.PoolWorkerLostEvent;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.pool.PoolState.State;

/**
 * Keeps a {@link PoolEngine}'s workers: starts them (in the background, with the READY handshake), gives
 * each live worker a relay thread ({@link AnswerRelay}), and handles a worker's end: collects its exit
 * code, fails or requeues the tasks it held, replaces it while there is work, and breaks the pool when
 * workers cannot start. Thread-safe: called by the engine, its starter threads and its relays.
 */
/*
 * Implementation notes
 *
 * Death. The relay thread's receive ends with EOF when the worker's JVM is gone (the ring notices the dead
 * peer's pid within one futex slice) or when the process ends before it touched its pipe (the exit hook
 * closes the pool's end). The relay then collects the exit code (the JVM is gone, so its slots are final),
 * fails the tasks it had STARTED with WorkerDiedException, puts the ones still QUEUED back at the head of
 * `pending`, and starts a replacement while there is work to do.
 *
 * Interrupt at close. When the pool lets a worker go (PoolState.finishClosingLocked), another thread closes
 * the pool's end of the worker's pipe while the relay waits in it, and closing unmaps the ring. If the relay
 * was reading the mapping at that moment, HotSpot unwinds it with an asynchronous exception and sets its
 * interrupt status (JavaThread::install_async_exception, without Thread.interrupt(); 3 in 200 closes of a
 * shared Arena under a reading thread on JDK 25.0.3). The relay then ended with AsynchronousCloseException
 * and the status still set, Worker.awaitExitCode gave up at once and SIGKILLed a worker that was exiting
 * normally, and exit code -9 counted as a death (5 of 929 closes of a Pool(2) counted one). The relay thread
 * clears the status before workerLost; nothing interrupts a relay on purpose.
 *
 * Release. workerLost removes the dead worker from `workers` in the same block that starts its replacement,
 * then releases its link outside the lock (a cluster link's release destroys its queues on the cluster: a
 * round trip each). Until that release has returned, the worker counts in `starting` (as in retire()), so the
 * pool is not terminated and close()/join()/awaitTermination do not return before it: a program that closes
 * its pool and then at once the transport under it (a Hazelcast connection) left 5 to 8 of 10 answer queues
 * on the cluster, their release failing on a client already shut down. A local link's release (closing the
 * pipe, unlinking its files and the slots' mapping) does not block, so a local pool's close waits a few
 * microseconds more, and its files are gone when it returns.
 */
final class WorkerSupervisor {
    /** Workers dying in a row before their first answer that make the pool broken. */
    private static final int BOOT_DEATHS_TO_BREAK = 3;

    private final PoolState pool;
    private final WorkerLauncher launcher;
    private final SerializableRunnable initializer;
    /** Runs {@link #launch} for each worker started. */
    private final ExecutorService starters;
    private final Answers answers;
    private final Dispatcher dispatcher;
    private final AnswerRelay relay;
    private final PoolShutdown shutdown;
    private final AtomicInteger workerNumbers = new AtomicInteger();

    WorkerSupervisor(PoolState pool, WorkerLauncher launcher, SerializableRunnable initializer, ExecutorService starters,
                     Answers answers, Dispatcher dispatcher, AnswerRelay relay, PoolShutdown shutdown) {
        this.pool = pool;
        this.launcher = launcher;
        this.initializer = initializer;
        this.starters = starters;
        this.answers = answers;
        this.dispatcher = dispatcher;
        this.relay = relay;
        this.shutdown = shutdown;
    }

    /** Starts one more worker in the background; it counts as starting until it is up or gone (lock held). */
    void launchLocked() {
        pool.starting++;
        int number = workerNumbers.incrementAndGet();
        starters.execute(() -> launch(number));
    }

    private void launch(int number) {
        if (ExitSequence.started()) {
            // NOTE: a worker the exit step just ended would be replaced by a child (and files in /dev/shm)
            // made after the step that ends children, or even after the one that removes the files
            synchronized (pool.lock) {
                pool.starting--;
                pool.lock.notifyAll();
            }
            return;
        }
        WorkerLink link;
        try {
            link = launcher.launch(pool.name + "-worker-" + number, initializer, pool.maxTasksPerChild, pool.depth);
        } catch (Throwable e) {
            synchronized (pool.lock) {
                pool.starting--;
            }
            shutdown.breakPool(pool.name + " cannot start a worker process", e);
            return;
        }
        Worker worker = new Worker(link, number);
        // NOTE: until the worker says READY (after its initializer), a death before it touched its pipe is
        // seen only through the process's exit, which then closes the pool's end; after READY the ring
        // itself reports the death, and closing on exit could drop answers not yet read.
        AtomicBoolean ready = new AtomicBoolean();
        link.onExit(() -> {
            if (!ready.get()) {
                link.closeChannel();
            }
        });
        boolean doomed;
        synchronized (pool.lock) {
            pool.booting.add(link);
            doomed = pool.state == State.ENDED || pool.broken != null;
        }
        if (doomed) {
            link.kill(); // NOTE: terminated or broken before it was registered: terminate/breakPool could not kill it
        }
        byte[] first;
        try {
            first = link.receive();
        } catch (IOException | InterruptedException e) {
            first = null;
        }
        if (first == null || first.length == 0 || first[0] != TaskMessages.READY) {
            notReady(worker, first);
            return;
        }
        ready.set(true);
        List<Task> toSend = List.of();
        boolean keep;
        synchronized (pool.lock) {
            pool.booting.remove(link);
            pool.bootDeaths = 0;
            keep = pool.state != State.ENDED && pool.broken == null;
            if (keep) {
                pool.workers.add(worker);
                pool.maybeIdle = true;
                Thread relayThread = new Thread(() -> {
                    relay.run(worker);
                    // NOTE: nobody interrupts a relay, yet its interrupt status may be set here (see the
                    // class notes, "Interrupt at close"): cleared, or workerLost would kill the worker.
                    Thread.interrupted();
                    workerLost(worker);
                }, pool.name + "-relay-" + number);
                relayThread.setDaemon(true);
                worker.relay = relayThread;
                pool.relays.add(relayThread);
                relayThread.start();
                toSend = dispatcher.refillLocked(worker);
                pool.starting--;
            }
            pool.lock.notifyAll();
        }
        if (!keep) {
            retire(worker);
            return;
        }
        Loggers.POOL.log(Level.DEBUG, () -> pool.name + ": worker " + link.name() + " (pid " + link.pid() + ") ready");
        dispatcher.sendAll(worker, toSend);
        synchronized (pool.lock) {
            pool.finishClosingLocked();
        }
    }

    /** Kills a worker the pool no longer wants and releases its files; counted as starting until gone. */
    private void retire(Worker worker) {
        worker.link.kill();
        worker.link.closeChannel();
        worker.awaitExitCode();
        worker.link.release();
        synchronized (pool.lock) {
            pool.starting--;
            pool.lock.notifyAll();
        }
    }

    /**
     * A new worker's first message was not READY: its initializer failed (the pool is broken), or it died
     * while booting or in the initializer. Several such deaths in a row break the pool (CPython's Pool
     * restarts such workers forever); otherwise another is started.
     */
    private void notReady(Worker worker, byte[] first) {
        boolean initFailed = first != null && first.length > 0 && first[0] == TaskMessages.INIT_FAILED;
        Throwable cause = initFailed ? answers.exception(first, first.length, worker) : null;
        worker.link.kill();
        worker.link.closeChannel();
        int code = worker.awaitExitCode();
        worker.link.release();
        boolean breakNow;
        boolean replaced = false;
        boolean killedByPool;
        synchronized (pool.lock) {
            pool.booting.remove(worker.link);
            pool.starting--;
            // NOTE: terminate or a broken pool kills booting workers too: no death of its own, never a reason to break
            killedByPool = pool.state == State.ENDED || pool.broken != null;
            if (!killedByPool) {
                pool.deaths++;
                pool.bootDeaths++;
            }
            breakNow = !initFailed && !killedByPool && pool.bootDeaths >= BOOT_DEATHS_TO_BREAK;
            if (!initFailed && !breakNow && pool.replacesWorkersLocked()) {
                pool.restarts++;
                launchLocked();
                replaced = true;
            }
            pool.lock.notifyAll();
        }
        if (!initFailed && !killedByPool) {
            reportLost(worker, code, false, 0, replaced);
        }
        if (initFailed) {
            shutdown.breakPool("the initializer of " + pool.name + " raised an exception in " + worker, cause);
        } else if (breakNow) {
            shutdown.breakPool(pool.name + ": " + BOOT_DEATHS_TO_BREAK + " workers in a row died before running a task (last: " + worker
                    + ", exit code " + code + "); the initializer or the JVM start fails", null);
        }
    }

    /** On {@code worker}'s relay thread once its pipe ended: settles what it held and replaces it if needed. */
    private void workerLost(Worker worker) {
        boolean normalEnd;
        synchronized (pool.lock) {
            if (worker.lost) {
                return;
            }
            worker.lost = true;
            // NOTE: a worker the pool let go, or that retired, holding no task, ends normally: never cut short
            normalEnd = worker.queued.isEmpty() && !worker.killed && (worker.retiring || pool.state == State.CLOSING);
        }
        worker.link.closeChannel();
        int code = worker.awaitExitCode(normalEnd);
        // NOTE: the worker is dead now, so each slot's state is final: STARTED tasks were its, QUEUED never ran.
        List<Task> died = new ArrayList<>();
        boolean ended;
        boolean expected;
        boolean killedByPool;
        boolean replaced = false;
        List<Worker> refill = new ArrayList<>();
        List<List<Task>> refills = new ArrayList<>();
        synchronized (pool.lock) {
            // NOTE: one block from removing the worker to starting its replacement, so that nobody sees a
            // pool with no worker, none starting and work left (isTerminated would say true).
            pool.workers.remove(worker);
            boolean hadTasks = !worker.queued.isEmpty();
            List<Task> neverStarted = new ArrayList<>();
            while (!worker.queued.isEmpty()) {
                Task t = worker.queued.pollFirst();
                boolean started = t.slot >= 0 && worker.slots.state(t.slot) != TaskSlots.QUEUED;
                pool.releaseLocked(worker, t, false);
                (started ? died : neverStarted).add(t);
            }
            ended = pool.state == State.ENDED;
            for (int i = neverStarted.size() - 1; i >= 0; i--) {
                if (!ended && pool.broken == null) {
                    pool.pending.addFirst(neverStarted.get(i));
                } else {
                    died.add(neverStarted.get(i));
                }
            }
            expected = !hadTasks && code == 0 && (worker.retiring || pool.state != State.RUNNING);
            killedByPool = ended || pool.broken != null;
            if (!expected) {
                pool.deaths++;
            }
            if (pool.replacesWorkersLocked()) {
                pool.restarts++;
                launchLocked();
                replaced = true;
            }
            // Tasks put back go to idle workers now, not to the replacement when it is up.
            for (Worker w : pool.workers) {
                if (w.queued.isEmpty() && !pool.pending.isEmpty()) {
                    List<Task> given = dispatcher.refillLocked(w);
                    if (!given.isEmpty()) {
                        refill.add(w);
                        refills.add(given);
                    }
                }
            }
            pool.finishClosingLocked();
            pool.relays.remove(worker.relay); // NOTE: this thread ends right after; a pool that replaces workers all day keeps no dead threads
            // NOTE: counted as starting until its link is released, as retire() does (see the class notes, "Release")
            pool.starting++;
            pool.lock.notifyAll();
        }
        try {
            worker.link.release();
        } finally {
            synchronized (pool.lock) {
                pool.starting--;
                pool.lock.notifyAll();
            }
        }
        if (killedByPool) {
            Loggers.POOL.log(Level.DEBUG, () -> pool.name + ": worker " + worker + " ended with exit code " + code + " ("
                    + (ended ? "terminated" : "the pool is broken") + ")");
        } else {
            reportLost(worker, code, expected, died.size(), replaced);
        }
        for (int i = 0; i < refill.size(); i++) {
            dispatcher.sendAll(refill.get(i), refills.get(i));
        }
        for (Task t : died) {
            pool.settle(t, null, ended ? new PoolCancellation(pool.name + " was terminated")
                    : new WorkerDiedException(worker.link.name(), worker.link.pid(), code));
        }
    }

    /**
     * Logs and records a worker that ended while the pool runs (or closes); {@code expected}: it retired or
     * the closing pool let it go.
     */
    private void reportLost(Worker worker, int code, boolean expected, int tasksFailed, boolean replaced) {
        String who = worker.link.name();
        long pid = worker.link.pid();
        boolean retired = expected && worker.retiring;
        if (!expected) {
            Loggers.POOL.log(Level.DEBUG, () -> pool.name + ": worker " + who + " (pid " + pid + ") died with exit code " + code
                    + (tasksFailed > 0 ? ", failing " + tasksFailed + " started task(s)" : "") + (replaced ? "; replaced" : ""));
        } else {
            Loggers.POOL.log(Level.DEBUG, () -> pool.name + ": worker " + who + " (pid " + pid + ") "
                    + (retired ? "retired under maxTasksPerChild" : "exited") + (replaced ? "; replaced" : ""));
        }
        if (!expected || retired) {
            PoolWorkerLostEvent.emit(pool.name, who, pid, code, retired, tasksFailed, replaced);
        }
    }
}
