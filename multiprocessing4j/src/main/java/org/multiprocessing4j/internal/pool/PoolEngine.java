package org.multiprocessing4j.internal.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.launch.ProcessTree;
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
 * Roadmap. This class is the façade the jobs, Pool and ProcessPoolExecutor call; the work is done by
 *   PoolState        the shared state and its one lock; releasing a task from its worker; settling a
 *                    task (its outcome, the counters); stats
 *   Dispatcher       submit, assignment, sending, refilling, taking back (stealing), task timeouts
 *   WorkerSupervisor starting workers (READY handshake), retiring them, a worker's death and its replacement
 *   AnswerRelay      the loop of each worker's relay thread: answers in, refill, decode, settle
 *   PoolShutdown     close, terminate, breaking the pool, cancelling, awaiting termination
 * They share one PoolState; none keeps state that another reads.
 *
 * Locking. One lock, `PoolState.lock`, guards: the run state (`state`), `pending`, `workers`, `feeders`,
 * `relays`, `starting`, `booting`, `running`, `broken`, the counters `submitted`, `deaths`, `restarts`, `bootDeaths`,
 * and the mutable fields of Worker and Task, except a Task's `sentTo` (volatile: the sending thread sets
 * it after the send, without the lock). Without the lock: `maybeIdle` and `shutdown` (volatile, read on
 * hot paths, written under the lock), `completed` and `failed` (LongAdders counted by settle), the id
 * counters and `progressBars` here. A method named `...Locked` runs with the lock held; the others take
 * it where they need it, and send tasks, settle tasks and kill workers only outside it.
 */
public final class PoolEngine {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final PoolState pool;
    private final ObjectCodec codec;
    private final CallbackThread callbacks;
    /** Runs the dependent stages of this pool's futures, off its relays ({@link HandOffFuture}). */
    private final StageRunner stages = new StageRunner();
    private final Dispatcher dispatcher;
    private final PoolShutdown shutdown;
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
        WorkerLauncher launcher = WorkerTransport.of(context);
        if (launcher instanceof ChildWorkerLauncher && ProcessTree.self().daemon()) {
            // NOTE: as CPython's Pool(), at once: its workers would be children of a daemon (API.md)
            throw new IllegalStateException("daemonic processes are not allowed to have children: no " + kind
                    + " of child worker processes in a daemon process (a pool worker is one)");
        }
        int depth = Math.min(taskTimeout != null || maxTasksPerChild > 0 ? 1 : Dispatcher.PREFETCH, launcher.maxTasksPerWorker());
        this.pool = new PoolState(name, processes, maxTasksPerChild, depth);
        this.codec = DefaultCodec.of(context.serializer().getName());
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        Answers answers = new Answers(codec, ccl != null ? ccl : PoolEngine.class.getClassLoader());
        this.callbacks = new CallbackThread(daemon(name + "-results"));
        ExecutorService starters = Executors.newCachedThreadPool(daemon(name + "-starter"));
        ScheduledThreadPoolExecutor timer;
        if (taskTimeout != null) {
            timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timeouts"));
            timer.setRemoveOnCancelPolicy(true);
        } else {
            timer = null;
        }
        this.shutdown = new PoolShutdown(pool, callbacks, starters, timer, stages);
        this.dispatcher = new Dispatcher(pool, taskTimeout, timer, launcher.bytesAheadPerWorker());
        AnswerRelay relay = new AnswerRelay(pool, answers, dispatcher, shutdown);
        WorkerSupervisor supervisor = new WorkerSupervisor(pool, launcher, initializer, starters, answers, dispatcher, relay, shutdown);
        Loggers.POOL.log(Level.DEBUG, () -> name + " starting " + processes + " workers" + (taskTimeout != null ? ", task timeout " + taskTimeout : "")
                + (maxTasksPerChild > 0 ? ", maxTasksPerChild " + maxTasksPerChild : ""));
        synchronized (pool.lock) {
            for (int i = 0; i < processes; i++) {
                supervisor.launchLocked();
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

    /** Where the dependent stages of this pool's futures run ({@link HandOffFuture}). */
    StageRunner stages() {
        return stages;
    }

    /** Makes the stages of this pool's futures count in {@code unfinished} while they run (an executor's rule). */
    public void keepAliveDuringStages(UnfinishedTasks unfinished) {
        stages.keepAliveWith(unfinished);
    }

    /** The single thread on which result callbacks run, in completion order. */
    CallbackThread callbackThread() {
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

    /**
     * Tasks that never reached a worker, removed from the queue and cancelled; returns their origins. With
     * {@code beingSentToo}, for {@code shutdownNow} only (the caller terminates right after), also those whose
     * message is still being sent.
     */
    public List<Object> drainPending(boolean beingSentToo) {
        return shutdown.drainPending(beingSentToo);
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

    /**
     * Whether the pool was closed or terminated and is done: every worker gone, its relays, callbacks and
     * future stages ended; what {@link #awaitTermination} waits for. Never blocks.
     */
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

    private static ThreadFactory daemon(String prefix) {
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
