package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.PoolWorkerLostEvent;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.pool.PoolState.State;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * Runs tasks on a fixed number of workers: the engine behind {@code Pool} and {@code ProcessPoolExecutor}.
 *
 * <p>States: RUNNING → CLOSING ({@link #close()}: no new calls; queued tasks finish, then the workers are
 * told to exit), or any → ENDED ({@link #terminate()}: workers killed, unfinished tasks cancelled). A new
 * worker takes tasks only after its READY message (its initializer has run), so a task's timeout never
 * includes the initializer, and a worker that dies before READY counts toward breaking the pool. A pool whose initializer failed or whose workers cannot start is <em>broken</em>: every
 * pending and later task fails with {@link BrokenProcessPoolException}. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Roadmap. PoolState holds the shared state and its one lock (releasing a task from its worker, settling
 * a task, stats); Dispatcher hands tasks to workers (submit, refill, take back, timeouts); PoolShutdown
 * does close, terminate, breaking the pool, cancelling and awaiting termination. This file still holds
 * the workers' lifecycle and the relays (next to move out).
 *
 * Death. The relay thread's receive ends with EOF when the worker's JVM is gone (the ring notices the dead
 * peer's pid within one futex slice) or when the process ends before it touched its pipe (the exit hook
 * closes the pool's end). The relay then collects the exit code (the JVM is gone, so its slots are final),
 * fails the tasks it had STARTED with WorkerDiedException, puts the ones still QUEUED back at the head of
 * `pending`, and starts a replacement while there is work to do.
 *
 * Locking. One lock, `PoolState.lock`, guards: the run state (`state`), `pending`, `workers`, `feeders`,
 * `relays`, `starting`, `running`, `broken`, the counters `submitted`, `deaths`, `restarts`, `bootDeaths`,
 * and the mutable fields of Worker and Task, except a Task's `sentTo` (volatile: the sending thread sets
 * it after the send, without the lock). Without the lock: `maybeIdle` and `shutdown` (volatile, read on
 * hot paths, written under the lock), `completed` and `failed` (LongAdders counted by settle), the id
 * counters and `progressBars` here. A method named `...Locked` runs with the lock held; the others take
 * it themselves, and send tasks, settle tasks and kill workers only after releasing it.
 */
public final class PoolEngine {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** Answers a relay takes from its worker's pipe at once, at most. */
    private static final int RELAY_BATCH = 16;
    /** Workers dying in a row before their first answer that make the pool broken. */
    private static final int BOOT_DEATHS_TO_BREAK = 3;

    private final PoolState pool;
    private final ObjectCodec codec;
    private final ExecutorService callbacks;
    private final Dispatcher dispatcher;
    private final PoolShutdown shutdown;
    private final WorkerLauncher launcher;
    private final SerializableRunnable initializer;
    private final ExecutorService starters;
    private final Answers answers;
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong functionIds = new AtomicLong();
    private volatile boolean progressBars;

    /**
     * Something that submits tasks over time (an imap's input reader); stopped by close, terminate and a
     * broken pool. {@code stopFeeding} must not block.
     */
    interface Feeder {
        void stopFeeding(RuntimeException why);
    }

    public PoolEngine(String kind, int processes, SerializableRunnable initializer, int maxTasksPerChild,
                      Duration taskTimeout, Context context) {
        PoolSettings.checkWorkers("the number of worker processes", processes);
        PoolSettings.checkMaxTasksPerChild(maxTasksPerChild);
        PoolSettings.checkTaskTimeout(taskTimeout);
        String name = kind + "-" + POOLS.incrementAndGet();
        this.initializer = initializer;
        this.launcher = WorkerTransport.of(context);
        int depth = Math.min(taskTimeout != null || maxTasksPerChild > 0 ? 1 : Dispatcher.PREFETCH, launcher.maxTasksPerWorker());
        this.pool = new PoolState(name, processes, maxTasksPerChild, depth);
        this.codec = DefaultCodec.of(context.serializer().getName());
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        this.answers = new Answers(codec, ccl != null ? ccl : PoolEngine.class.getClassLoader());
        this.callbacks = Executors.newSingleThreadExecutor(daemon(name + "-results"));
        this.starters = Executors.newCachedThreadPool(daemon(name + "-starter"));
        ScheduledThreadPoolExecutor timer;
        if (taskTimeout != null) {
            timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timeouts"));
            timer.setRemoveOnCancelPolicy(true);
        } else {
            timer = null;
        }
        this.shutdown = new PoolShutdown(pool, callbacks, starters, timer);
        this.dispatcher = new Dispatcher(pool, taskTimeout, timer, launcher.bytesAheadPerWorker());
        Loggers.POOL.log(Level.DEBUG, () -> name + " starting " + processes + " workers" + (taskTimeout != null ? ", task timeout " + taskTimeout : "")
                + (maxTasksPerChild > 0 ? ", maxTasksPerChild " + maxTasksPerChild : ""));
        synchronized (pool.lock) {
            for (int i = 0; i < processes; i++) {
                launchLocked();
            }
        }
    }

    public String name() {
        return pool.name;
    }

    public int processes() {
        return pool.processes;
    }

    /** The codec tasks and results travel with. */
    public ObjectCodec codec() {
        return codec;
    }

    long nextTaskId() {
        return taskIds.incrementAndGet();
    }

    long nextFunctionId() {
        return functionIds.incrementAndGet();
    }

    /** Map-family calls show a terminal progress bar from now on. */
    public void showProgressBars(boolean show) {
        progressBars = show;
    }

    /** A progress bar for a call of {@code items} items (unknown: -1), or null when they are off. */
    ProgressBar progressBar(String call, long items) {
        return progressBars ? new ProgressBar(pool.name + " " + call, items) : null;
    }

    /** The single thread on which result callbacks run, in completion order. */
    ExecutorService callbackThread() {
        return callbacks;
    }

    // ---------------------------------------------------------------- calls

    /**
     * Queues {@code task}, or sends it at once to the least loaded worker that has room. Refused once the
     * pool is closing (feeders of earlier imap calls are stopped by close itself).
     *
     * @throws IllegalStateException          if the pool no longer takes calls
     * @throws BrokenProcessPoolException     if the pool is broken
     */
    void submit(Task task) {
        dispatcher.submit(task);
    }

    /** Throws if a new call cannot be accepted now. */
    void checkTakingCalls() {
        pool.checkTakingCalls();
    }

    void addFeeder(Feeder feeder) {
        synchronized (pool.lock) {
            pool.checkTakingCalls();
            pool.feeders.add(feeder);
        }
    }

    void removeFeeder(Feeder feeder) {
        synchronized (pool.lock) {
            pool.feeders.remove(feeder);
            pool.finishClosingLocked();
        }
    }

    /** Whether the pool still runs (a feeder asks before it reads more input). */
    boolean running() {
        synchronized (pool.lock) {
            return pool.state == State.RUNNING && pool.broken == null;
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops taking calls; queued tasks finish, then the workers exit. Returns at once; see {@link #awaitTermination}. */
    public void close() {
        shutdown.close();
    }

    /**
     * Kills every worker now (SIGKILL); tasks not finished are cancelled. Returns at once; see
     * {@link #awaitTermination}. Idempotent.
     */
    public void terminate() {
        shutdown.terminate();
    }

    /** Tasks that never reached a worker, removed from the queue and cancelled (for {@code shutdownNow}). */
    public List<Object> drainPending() {
        return shutdown.drainPending();
    }

    /**
     * Removes {@code task} if no worker has started it (queued in the pool, or sent ahead and taken back);
     * true if it was removed and so will never run. The caller settles it.
     */
    boolean cancelPending(Task task) {
        return shutdown.cancelPending(task);
    }

    /**
     * Stops {@code task} if a worker has started it, by killing that worker (it is replaced); true if it
     * did. The task's sink is not called: the caller settles it.
     */
    boolean cancelRunning(Task task) {
        return shutdown.cancelRunning(task);
    }

    public boolean isShutdown() {
        return shutdown.isShutdown();
    }

    /** Whether the pool was closed or terminated and every worker is gone. */
    public boolean isTerminated() {
        return shutdown.isTerminated();
    }

    /**
     * Waits until {@link #isTerminated()} or the timeout passes (null: no limit); a running pool terminates
     * only after {@link #close()} or {@link #terminate()}. Returns whether it terminated.
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return shutdown.awaitTermination(timeout);
    }

    public PoolStats stats() {
        return pool.stats();
    }

    // ---------------------------------------------------------------- workers
    /** Starts one more worker in the background; it counts as starting until it is up or gone (lock held). */
    void launchLocked() {
        pool.starting++;
        int number = workerNumbers.incrementAndGet();
        starters.execute(() -> launch(number));
    }

    private void launch(int number) {
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
            pool.bootDeaths = 0;
            keep = pool.state != State.ENDED && pool.broken == null;
            if (keep) {
                pool.workers.add(worker);
                pool.maybeIdle = true;
                Thread relayThread = new Thread(() -> {
                    relay(worker);
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
        Throwable cause = initFailed ? answers.exception(first, worker) : null;
        worker.link.kill();
        worker.link.closeChannel();
        int code = worker.awaitExitCode();
        worker.link.release();
        boolean breakNow;
        boolean replaced = false;
        synchronized (pool.lock) {
            pool.starting--;
            pool.deaths++;
            pool.bootDeaths++;
            breakNow = !initFailed && pool.bootDeaths >= BOOT_DEATHS_TO_BREAK;
            if (!initFailed && !breakNow && pool.state != State.ENDED && pool.broken == null) {
                pool.restarts++;
                launchLocked();
                replaced = true;
            }
            pool.lock.notifyAll();
        }
        if (!initFailed) {
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
        synchronized (pool.lock) {
            if (worker.lost) {
                return;
            }
            worker.lost = true;
        }
        worker.link.closeChannel();
        int code = worker.awaitExitCode();
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
            if (!ended && pool.broken == null && (pool.state == State.RUNNING || !pool.pending.isEmpty() || pool.running > 0 || !pool.feeders.isEmpty())) {
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
            pool.lock.notifyAll();
        }
        worker.link.release();
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
            pool.settle(t, null, ended ? new CancellationException(pool.name + " was terminated")
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

    // ---------------------------------------------------------------- relays
    /**
     * Answers in, next tasks out, until {@code worker} is gone: returns when its pipe ended, its initializer
     * failed (the pool is then broken) or the relay itself failed (the worker is then killed).
     */
    private void relay(Worker worker) {
        List<byte[]> batch = new ArrayList<>(RELAY_BATCH);
        try {
            while (true) {
                byte[] answer;
                try {
                    answer = worker.link.receive();
                } catch (IOException | InterruptedException e) {
                    break;
                }
                // NOTE: answers already in the pipe are taken with it: one lock section and one refill for all
                // (a worker of short tasks answers faster than a relay handles answers one by one).
                batch.clear();
                while (answer != null && !(answer.length > 0 && answer[0] == TaskMessages.INIT_FAILED)) {
                    batch.add(answer);
                    answer = batch.size() < RELAY_BATCH ? receiveNow(worker) : null;
                }
                if (!batch.isEmpty()) {
                    onMessages(worker, batch);
                }
                if (answer != null) {
                    shutdown.breakPool("the initializer of " + pool.name + " raised an exception in " + worker, answers.exception(answer, worker));
                    break;
                }
            }
        } catch (Throwable t) {
            System.err.println(pool.name + ": the relay of " + worker + " failed; the worker is replaced");
            t.printStackTrace();
            worker.link.kill();
        }
    }

    /**
     * The next answer if one is already in {@code worker}'s pipe, else null (also when the pipe ended: the
     * relay's next blocking receive reports that).
     */
    private static byte[] receiveNow(Worker worker) {
        try {
            return worker.link.receiveNow();
        } catch (IOException e) {
            return null;
        }
    }

    /** Answers from a worker, in the order it sent them. */
    private void onMessages(Worker worker, List<byte[]> answers) throws IOException {
        Task[] tasks = new Task[answers.size()];
        List<Task> toSend;
        synchronized (pool.lock) {
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = takeAnsweredLocked(worker, answers.get(i));
            }
            toSend = dispatcher.refillLocked(worker);
        }
        dispatcher.sendAll(worker, toSend);
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] != null) {
                deliver(worker, tasks[i], answers.get(i));
            }
        }
        if (pool.shutdown) {
            synchronized (pool.lock) {
                pool.finishClosingLocked();
            }
        }
    }

    /**
     * Takes the task {@code answer} is about out of {@code worker} (lock held); null for a SKIPPED answer
     * (its slot is free again) or a task settled otherwise (timed out, cancelled, terminated).
     */
    private Task takeAnsweredLocked(Worker worker, byte[] answer) throws IOException {
        long id = TaskMessages.taskId(answer);
        int slot = TaskMessages.slot(answer);
        if (answer[0] == TaskMessages.SKIPPED) {
            if (slot < worker.slotUsed.length) {
                worker.releaseSlot(slot);
                worker.slots.free(slot);
            }
            return null;
        }
        Task first = worker.queued.peekFirst();
        if (first != null && first.id == id) {
            // NOTE: the usual case: a worker answers its tasks in the order it was given them.
            worker.queued.pollFirst();
            pool.releaseLocked(worker, first, true);
            worker.tasksDone++;
            return first;
        }
        for (java.util.Iterator<Task> it = worker.queued.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (t.id == id) {
                it.remove();
                pool.releaseLocked(worker, t, true);
                worker.tasksDone++;
                return t;
            }
        }
        return null;
    }

    /** Decodes one answer and settles its task (no lock held). */
    private void deliver(Worker worker, Task task, byte[] answer) {
        Answers.Outcome outcome = answers.decode(answer, worker);
        pool.settle(task, outcome.value(), outcome.error());
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return pool.name;
    }
}
