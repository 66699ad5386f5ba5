package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.multiprocessing4j.BrokenProcessPoolException;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.PoolTaskEvent;
import org.multiprocessing4j.internal.events.PoolWorkerLostEvent;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.wire.EncodedMessage;
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
 * Roadmap of this file: submitting (submit, leastLoadedLocked); dispatch (assignLocked, send, rebalance,
 * releaseLocked, refillLocked, stealLocked); workers (launchLocked, launch: READY handshake, notReady,
 * retire; relay, onMessage, deliver, with Answers decoding; workerLost, with Worker.awaitExitCode;
 * timedOut); outcomes (settle, breakPool); lifecycle (close, finishClosingLocked, terminate, drainPending, cancelPending, cancelRunning,
 * awaitTermination); stats. Dispatch and the worker lifecycle share one lock and one state, which is why
 * they live together; splitting them along that line is the next refactoring.
 *
 * Dispatch. A worker holds at most `depth` tasks (PREFETCH, or 1 with a task timeout or maxTasksPerChild,
 * where a task's start must be its dispatch): one running, the rest sent ahead into its pipe so that it
 * never waits for the pool between tasks. Sending ahead never makes a task wait behind a busy worker while
 * another is idle (API.md): a worker that falls idle with nothing pending takes back an unstarted task
 * of another worker (newest first, most loaded workers first), and whether the task was started or taken back is decided by one CAS
 * on its slot in that worker's TaskSlots table (see there). Under `lock`: a submitted task goes to the least
 * loaded worker that has room, or to the `pending` deque; a worker that answers is refilled. Messages are
 * sent outside the lock by the thread that made the assignment; a relay refills its worker *before* it
 * decodes and delivers the answer. A worker sends each answer as soon as its task ends.
 *
 * Ownership. `Worker.queued` holds the tasks a worker was given. Every path that ends a task (answer,
 * death, timeout, terminate, cancel, a failed send, a steal) takes it out of `queued` or `pending` under
 * the lock, so exactly one of them settles it; a late answer for a task settled otherwise is dropped. A
 * task is stolen only after its message is in the pipe whole (`sentTo`, set per assignment), because
 * stealing rewrites the slot byte of the message for the new worker.
 *
 * Death. The relay thread's receive ends with EOF when the worker's JVM is gone (the ring notices the dead
 * peer's pid within one futex slice) or when the process ends before it touched its pipe (the exit hook
 * closes the pool's end). The relay then collects the exit code (the JVM is gone, so its slots are final),
 * fails the tasks it had STARTED with WorkerDiedException, puts the ones still QUEUED back at the head of
 * `pending`, and starts a replacement while there is work to do.
 */
public final class PoolEngine {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /**
     * Tasks a worker may hold at once (one running, the rest sent ahead and revocable). Deep enough that a
     * worker of short tasks does not run dry while its relay waits for a CPU: on a machine with fewer cores
     * than busy threads a relay can be descheduled for a scheduler slice (milliseconds), and chunksize-1
     * maps measured 1.5-2.5x faster with 32 than with 8 under load. Large messages are bounded by bytes
     * as well ({@link WorkerLauncher#bytesAheadPerWorker}).
     */
    static final int PREFETCH = 32;
    /** Answers a relay takes from its worker's pipe at once, at most. */
    private static final int RELAY_BATCH = 16;
    /** Workers dying in a row before their first answer that make the pool broken. */
    private static final int BOOT_DEATHS_TO_BREAK = 3;

    private enum State { RUNNING, CLOSING, ENDED }

    private final String name;
    private final int processes;
    private final SerializableRunnable initializer;
    private final int maxTasksPerChild;
    private final Duration taskTimeout;
    private final WorkerLauncher launcher;
    private final ObjectCodec codec;
    private final Answers answers;
    private final ExecutorService callbacks;
    private final ExecutorService starters;
    private final ScheduledThreadPoolExecutor timer;
    /** Tasks a worker may hold: {@link #PREFETCH}, or 1 where a task's start must be its dispatch (timeouts, maxTasksPerChild). */
    private final int depth;
    /** Message bytes a worker may hold beyond its first task ({@link WorkerLauncher#bytesAheadPerWorker}). */
    private final long bytesAhead;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong functionIds = new AtomicLong();
    private final AtomicInteger workerNumbers = new AtomicInteger();

    private final Object lock = new Object();
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private final Set<Worker> workers = new LinkedHashSet<>();
    private final Set<Feeder> feeders = new LinkedHashSet<>();
    private final List<Thread> relays = new ArrayList<>();
    private volatile boolean progressBars;
    private State state = State.RUNNING;
    /**
     * Some worker may hold nothing while others hold unstarted tasks: each completed send then looks for a
     * task to take back ({@link #rebalance}). Set when a worker's queue empties or a worker arrives; cleared
     * by a rebalance that finds no idle worker.
     */
    private volatile boolean maybeIdle;
    /** {@code state != RUNNING}, readable without the lock (the relay's hot path asks it). */
    private volatile boolean shutdown;
    private int starting;
    private int running;
    private BrokenProcessPoolException broken;
    private long submitted;
    private final java.util.concurrent.atomic.LongAdder completed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
    private long deaths;
    private long restarts;
    /** Workers in a row that died before answering any task (see workerLost). */
    private int bootDeaths;

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
        this.name = kind + "-" + POOLS.incrementAndGet();
        this.processes = processes;
        this.initializer = initializer;
        this.maxTasksPerChild = maxTasksPerChild;
        this.taskTimeout = taskTimeout;
        this.launcher = WorkerTransport.of(context);
        this.depth = Math.min(taskTimeout != null || maxTasksPerChild > 0 ? 1 : PREFETCH, launcher.maxTasksPerWorker());
        this.bytesAhead = launcher.bytesAheadPerWorker();
        this.codec = DefaultCodec.of(context.serializer().getName());
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        this.answers = new Answers(codec, ccl != null ? ccl : PoolEngine.class.getClassLoader());
        this.callbacks = Executors.newSingleThreadExecutor(daemon(name + "-results"));
        this.starters = Executors.newCachedThreadPool(daemon(name + "-starter"));
        if (taskTimeout != null) {
            timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timeouts"));
            timer.setRemoveOnCancelPolicy(true);
        } else {
            timer = null;
        }
        Loggers.POOL.log(Level.DEBUG, () -> name + " starting " + processes + " workers" + (taskTimeout != null ? ", task timeout " + taskTimeout : "")
                + (maxTasksPerChild > 0 ? ", maxTasksPerChild " + maxTasksPerChild : ""));
        synchronized (lock) {
            for (int i = 0; i < processes; i++) {
                launchLocked();
            }
        }
    }

    public String name() {
        return name;
    }

    public int processes() {
        return processes;
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
        return progressBars ? new ProgressBar(name + " " + call, items) : null;
    }

    /** The single thread on which result callbacks run, in completion order. */
    ExecutorService callbackThread() {
        return callbacks;
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues {@code task}, or sends it at once to the least loaded worker that has room. Refused once the
     * pool is closing (feeders of earlier imap calls are stopped by close itself).
     *
     * @throws IllegalStateException          if the pool no longer takes calls
     * @throws BrokenProcessPoolException     if the pool is broken
     */
    void submit(Task task) {
        Worker worker;
        synchronized (lock) {
            checkTakingCalls();
            submitted++;
            worker = leastLoadedLocked(task);
            if (worker == null) {
                pending.addLast(task);
                return;
            }
            assignLocked(worker, task);
        }
        send(worker, task);
    }

    /** The live worker holding the fewest tasks, if it can take {@code task} too (lock held). */
    private Worker leastLoadedLocked(Task task) {
        Worker best = null;
        for (Worker w : workers) {
            if (!w.lost && !w.retiring && (best == null || w.queued.size() < best.queued.size())
                    && w.canTake(task, depth, bytesAhead)) {
                best = w;
                if (w.queued.isEmpty()) {
                    break;
                }
            }
        }
        return best;
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

    void addFeeder(Feeder feeder) {
        synchronized (lock) {
            checkTakingCalls();
            feeders.add(feeder);
        }
    }

    void removeFeeder(Feeder feeder) {
        synchronized (lock) {
            feeders.remove(feeder);
            finishClosingLocked();
        }
    }

    /** Whether the pool still runs (a feeder asks before it reads more input). */
    boolean running() {
        synchronized (lock) {
            return state == State.RUNNING && broken == null;
        }
    }

    private void assignLocked(Worker worker, Task task) {
        int slot = worker.freeSlot();
        worker.useSlot(slot, task.message.length());
        worker.slots.queue(slot);
        task.message.head()[TaskMessages.SLOT_AT] = (byte) slot;
        task.slot = slot;
        task.worker = worker;
        task.sentTo = null;
        task.event = PoolTaskEvent.handedOut(task.event, name, task.id, worker.link.name(), worker.link.pid());
        if (worker.queued.isEmpty()) {
            worker.busySince = System.nanoTime();
        }
        worker.queued.addLast(task);
        worker.handed++;
        running++;
        if (maxTasksPerChild > 0 && worker.handed >= maxTasksPerChild) {
            worker.retiring = true;
        }
        if (timer != null) {
            task.timeout = timer.schedule(() -> timedOut(worker, task), taskTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void send(Worker worker, Task task) {
        try {
            worker.link.send(task.message);
        } catch (IOException | RuntimeException e) {
            // The worker is gone, or this thread was interrupted mid-send: the task did not arrive whole.
            // It goes back to the queue; the worker is killed so that its relay replaces it.
            boolean requeued = false;
            synchronized (lock) {
                if (task.worker == worker && worker.queued.remove(task)) {
                    releaseLocked(worker, task, true);
                    if (state != State.ENDED && broken == null) {
                        pending.addFirst(task);
                        requeued = true;
                    }
                } else {
                    return;
                }
            }
            worker.link.kill();
            if (!requeued) {
                settle(task, null, new CancellationException(name + " ended before the task was sent"));
            }
            return;
        }
        // NOTE: set only now, and only for this assignment: a task may be stolen (its slot byte rewritten)
        // only once its message is whole in this worker's pipe.
        if (task.worker == worker) {
            task.sentTo = worker;
        }
        if (maybeIdle) {
            // A worker that fell idle while this task was in flight could not take it back then.
            rebalance();
        }
    }

    /** Gives every idle worker a task taken back from a busier one, where one can be. */
    private void rebalance() {
        List<Worker> to = new ArrayList<>(2);
        List<Task> moved = new ArrayList<>(2);
        synchronized (lock) {
            boolean idleLeft = false;
            for (Worker w : workers) {
                if (!w.lost && !w.retiring && w.queued.isEmpty() && w.freeSlot() >= 0 && state != State.ENDED && broken == null) {
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
            maybeIdle = idleLeft;
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
    private void sendAll(Worker worker, List<Task> tasks) {
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
        if (sent > 0 && maybeIdle) {
            rebalance();
        }
    }

    /**
     * Takes {@code task} (already removed from {@code worker.queued}) out of its worker (lock held);
     * {@code freeSlot} unless the slot stays in use until the worker's SKIPPED answer.
     */
    private void releaseLocked(Worker worker, Task task, boolean freeSlot) {
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

    /**
     * Gives {@code worker} tasks up to its depth: pending ones first; if none are pending and it holds
     * nothing, one taken back from the most loaded worker that has not started it (lock held). Returns the
     * tasks to send.
     */
    private List<Task> refillLocked(Worker worker) {
        if (worker.lost || worker.retiring || state == State.ENDED || broken != null) {
            return List.of();
        }
        List<Task> out = null;
        while (!pending.isEmpty() && !worker.retiring && worker.canTake(pending.peekFirst(), depth, bytesAhead)) {
            Task next = pending.pollFirst();
            assignLocked(worker, next);
            if (out == null) {
                out = new ArrayList<>(depth);
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
        List<Worker> victims = new ArrayList<>(workers);
        victims.remove(thief);
        victims.sort((a, b) -> Integer.compare(b.queued.size(), a.queued.size()));
        for (Worker victim : victims) {
            if (victim.lost || victim.queued.size() < 2) {
                continue;
            }
            for (java.util.Iterator<Task> it = victim.queued.descendingIterator(); it.hasNext(); ) {
                Task candidate = it.next();
                if (candidate.sentTo == victim && victim.slots.steal(candidate.slot)) {
                    // NOTE: the victim will answer SKIPPED for this slot; only then is the slot free again.
                    it.remove();
                    releaseLocked(victim, candidate, false);
                    unhandLocked(victim);
                    return candidate;
                }
            }
        }
        return null;
    }

    /** A task handed to {@code worker} was taken back: it does not count toward maxTasksPerChild (lock held). */
    private void unhandLocked(Worker worker) {
        worker.handed--;
        worker.retiring = maxTasksPerChild > 0 && worker.handed >= maxTasksPerChild;
    }

    // ---------------------------------------------------------------- workers

    private void launchLocked() {
        starting++;
        int number = workerNumbers.incrementAndGet();
        starters.execute(() -> launch(number));
    }

    private void launch(int number) {
        WorkerLink link;
        try {
            link = launcher.launch(name + "-worker-" + number, initializer, maxTasksPerChild, depth);
        } catch (Throwable e) {
            synchronized (lock) {
                starting--;
            }
            breakPool(name + " cannot start a worker process", e);
            return;
        }
        Worker worker = new Worker(link, number);
        // NOTE: until the worker says READY (after its initializer), a death before it touched its pipe is
        // seen only through the process's exit, which then closes the pool's end; after READY the ring
        // itself reports the death, and closing on exit could drop answers not yet read.
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
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
        synchronized (lock) {
            bootDeaths = 0;
            keep = state != State.ENDED && broken == null;
            if (keep) {
                workers.add(worker);
                maybeIdle = true;
                Thread relay = new Thread(() -> relay(worker), name + "-relay-" + number);
                relay.setDaemon(true);
                worker.relay = relay;
                relays.add(relay);
                relay.start();
                toSend = refillLocked(worker);
                starting--;
            }
            lock.notifyAll();
        }
        if (!keep) {
            retire(worker);
            return;
        }
        Loggers.POOL.log(Level.DEBUG, () -> name + ": worker " + link.name() + " (pid " + link.pid() + ") ready");
        sendAll(worker, toSend);
        synchronized (lock) {
            finishClosingLocked();
        }
    }

    /** Kills a worker the pool no longer wants and releases its files; counted as starting until gone. */
    private void retire(Worker worker) {
        worker.link.kill();
        worker.link.closeChannel();
        worker.awaitExitCode();
        worker.link.release();
        synchronized (lock) {
            starting--;
            lock.notifyAll();
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
        synchronized (lock) {
            starting--;
            deaths++;
            bootDeaths++;
            breakNow = !initFailed && bootDeaths >= BOOT_DEATHS_TO_BREAK;
            if (!initFailed && !breakNow && state != State.ENDED && broken == null) {
                restarts++;
                launchLocked();
                replaced = true;
            }
            lock.notifyAll();
        }
        if (!initFailed) {
            reportLost(worker, code, false, 0, replaced);
        }
        if (initFailed) {
            breakPool("the initializer of " + name + " raised an exception in " + worker, cause);
        } else if (breakNow) {
            breakPool(name + ": " + BOOT_DEATHS_TO_BREAK + " workers in a row died before running a task (last: " + worker
                    + ", exit code " + code + "); the initializer or the JVM start fails", null);
        }
    }

    /** The loop of one worker's relay thread: answers in, next tasks out, until the worker is gone. */
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
                    breakPool("the initializer of " + name + " raised an exception in " + worker, answers.exception(answer, worker));
                    break;
                }
            }
        } catch (Throwable t) {
            System.err.println(name + ": the relay of " + worker + " failed; the worker is replaced");
            t.printStackTrace();
            worker.link.kill();
        }
        workerLost(worker);
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
        synchronized (lock) {
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = takeAnsweredLocked(worker, answers.get(i));
            }
            toSend = refillLocked(worker);
        }
        sendAll(worker, toSend);
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] != null) {
                deliver(worker, tasks[i], answers.get(i));
            }
        }
        if (shutdown) {
            synchronized (lock) {
                finishClosingLocked();
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
            releaseLocked(worker, first, true);
            worker.tasksDone++;
            return first;
        }
        for (java.util.Iterator<Task> it = worker.queued.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (t.id == id) {
                it.remove();
                releaseLocked(worker, t, true);
                worker.tasksDone++;
                return t;
            }
        }
        return null;
    }

    /** Decodes one answer and settles its task (no lock held). */
    private void deliver(Worker worker, Task task, byte[] answer) {
        Answers.Outcome outcome = answers.decode(answer, worker, task);
        settle(task, outcome.value(), outcome.error());
    }

    private void workerLost(Worker worker) {
        synchronized (lock) {
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
        synchronized (lock) {
            // NOTE: one block from removing the worker to starting its replacement, so that nobody sees a
            // pool with no worker, none starting and work left (isTerminated would say true).
            workers.remove(worker);
            boolean hadTasks = !worker.queued.isEmpty();
            List<Task> neverStarted = new ArrayList<>();
            while (!worker.queued.isEmpty()) {
                Task t = worker.queued.pollFirst();
                boolean started = t.slot >= 0 && worker.slots.state(t.slot) != TaskSlots.QUEUED;
                releaseLocked(worker, t, false);
                (started ? died : neverStarted).add(t);
            }
            ended = state == State.ENDED;
            for (int i = neverStarted.size() - 1; i >= 0; i--) {
                if (!ended && broken == null) {
                    pending.addFirst(neverStarted.get(i));
                } else {
                    died.add(neverStarted.get(i));
                }
            }
            expected = !hadTasks && code == 0 && (worker.retiring || state != State.RUNNING);
            killedByPool = ended || broken != null;
            if (!expected) {
                deaths++;
            }
            if (!ended && broken == null && (state == State.RUNNING || !pending.isEmpty() || running > 0 || !feeders.isEmpty())) {
                restarts++;
                launchLocked();
                replaced = true;
            }
            // Tasks put back go to idle workers now, not to the replacement when it is up.
            for (Worker w : workers) {
                if (w.queued.isEmpty() && !pending.isEmpty()) {
                    List<Task> given = refillLocked(w);
                    if (!given.isEmpty()) {
                        refill.add(w);
                        refills.add(given);
                    }
                }
            }
            finishClosingLocked();
            relays.remove(worker.relay); // NOTE: this thread ends right after; a pool that replaces workers all day keeps no dead threads
            lock.notifyAll();
        }
        worker.link.release();
        if (killedByPool) {
            Loggers.POOL.log(Level.DEBUG, () -> name + ": worker " + worker + " ended with exit code " + code + " ("
                    + (ended ? "terminated" : "the pool is broken") + ")");
        } else {
            reportLost(worker, code, expected, died.size(), replaced);
        }
        for (int i = 0; i < refill.size(); i++) {
            sendAll(refill.get(i), refills.get(i));
        }
        for (Task t : died) {
            settle(t, null, ended ? new CancellationException(name + " was terminated")
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
            Loggers.POOL.log(Level.DEBUG, () -> name + ": worker " + who + " (pid " + pid + ") died with exit code " + code
                    + (tasksFailed > 0 ? ", failing " + tasksFailed + " started task(s)" : "") + (replaced ? "; replaced" : ""));
        } else {
            Loggers.POOL.log(Level.DEBUG, () -> name + ": worker " + who + " (pid " + pid + ") "
                    + (retired ? "retired under maxTasksPerChild" : "exited") + (replaced ? "; replaced" : ""));
        }
        if (!expected || retired) {
            PoolWorkerLostEvent.emit(name, who, pid, code, retired, tasksFailed, replaced);
        }
    }

    private void timedOut(Worker worker, Task task) {
        synchronized (lock) {
            if (task.worker != worker || !worker.queued.remove(task)) {
                return;
            }
            releaseLocked(worker, task, false);
        }
        Loggers.POOL.log(Level.DEBUG, () -> name + ": task " + task.id + " timed out after " + taskTimeout + " in worker "
                + worker.link.name() + " (pid " + worker.link.pid() + "); the worker is killed and replaced");
        worker.link.kill();
        settle(task, null, new TaskTimeoutException(worker.link.name(), worker.link.pid(), taskTimeout));
    }

    // ---------------------------------------------------------------- outcomes

    private void settle(Task task, Object value, Throwable error) {
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

    private BrokenProcessPoolException broken(String detail) {
        return new BrokenProcessPoolException(broken.getMessage() + detail, broken.getCause());
    }

    private void breakPool(String why, Throwable cause) {
        List<Task> lost = new ArrayList<>();
        List<Worker> all;
        List<Feeder> stopped;
        BrokenProcessPoolException error;
        boolean first = false;
        synchronized (lock) {
            if (broken == null) {
                broken = new BrokenProcessPoolException(why + " (the pool is broken: pending and later tasks fail)", cause);
                first = true;
            }
            error = broken;
            lost.addAll(pending);
            pending.clear();
            for (Worker w : workers) {
                drainLocked(w, lost);
            }
            all = new ArrayList<>(workers);
            stopped = new ArrayList<>(feeders);
            lock.notifyAll();
        }
        if (first) {
            Loggers.POOL.log(Level.WARNING, error.getMessage(), cause);
        }
        for (Feeder f : stopped) {
            f.stopFeeding(error);
        }
        for (Task t : lost) {
            settle(t, null, new BrokenProcessPoolException(error.getMessage(), error.getCause()));
        }
        for (Worker w : all) {
            w.link.kill();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops taking calls; queued tasks finish, then the workers exit. Returns at once; see {@link #join}. */
    public void close() {
        List<Feeder> stopped;
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSING;
            shutdown = true;
            stopped = new ArrayList<>(feeders);
            feeders.clear(); // NOTE: a stopped feeder submits nothing more; close never waits for its input
            finishClosingLocked();
        }
        Loggers.POOL.log(Level.DEBUG, () -> name + " closing: queued tasks finish, then the workers exit");
        for (Feeder f : stopped) {
            f.stopFeeding(new IllegalStateException(name + " was closed before this call's input was read to the end"));
        }
    }

    /** In CLOSING with nothing left to run: tells every worker to exit (lock held). */
    private void finishClosingLocked() {
        if (state == State.CLOSING && pending.isEmpty() && running == 0 && feeders.isEmpty()) {
            for (Worker w : workers) {
                w.link.closeChannel();
            }
        }
    }

    /**
     * Kills every worker now (SIGKILL); tasks not finished are cancelled. Returns at once; see
     * {@link #awaitTermination}. Idempotent.
     */
    public void terminate() {
        List<Task> cancelled = new ArrayList<>();
        List<Worker> all;
        List<Feeder> stopped;
        boolean first;
        synchronized (lock) {
            first = state != State.ENDED;
            state = State.ENDED;
            shutdown = true;
            cancelled.addAll(pending);
            pending.clear();
            for (Worker w : workers) {
                drainLocked(w, cancelled);
            }
            all = new ArrayList<>(workers);
            stopped = new ArrayList<>(feeders);
            lock.notifyAll();
        }
        if (first) {
            Loggers.POOL.log(Level.DEBUG, () -> name + " terminating: its workers are killed");
        }
        CancellationException why = new CancellationException(name + " was terminated");
        for (Feeder f : stopped) {
            f.stopFeeding(why);
        }
        for (Task t : cancelled) {
            settle(t, null, new CancellationException(name + " was terminated before the task finished"));
        }
        for (Worker w : all) {
            w.link.kill();
        }
    }

    /** Moves every task {@code worker} holds into {@code into} (lock held). */
    private void drainLocked(Worker worker, List<Task> into) {
        while (!worker.queued.isEmpty()) {
            Task t = worker.queued.pollFirst();
            releaseLocked(worker, t, false);
            into.add(t);
        }
    }

    /** Tasks that never reached a worker, removed from the queue and cancelled (for {@code shutdownNow}). */
    public List<Object> drainPending() {
        List<Task> drained;
        synchronized (lock) {
            drained = new ArrayList<>(pending);
            pending.clear();
            for (Worker w : workers) {
                for (java.util.Iterator<Task> it = w.queued.descendingIterator(); it.hasNext(); ) {
                    Task t = it.next();
                    if (t.sentTo == w && w.slots.steal(t.slot)) {
                        it.remove();
                        releaseLocked(w, t, false);
                        unhandLocked(w);
                        drained.add(t);
                    }
                }
            }
            finishClosingLocked();
        }
        List<Object> origins = new ArrayList<>();
        for (Task t : drained) {
            if (t.origin != null) {
                origins.add(t.origin);
            }
            settle(t, null, new CancellationException("cancelled before it started"));
        }
        return origins;
    }

    /**
     * Removes {@code task} if no worker has started it (queued in the pool, or sent ahead and taken back);
     * true if it was removed and so will never run. The caller settles it.
     */
    boolean cancelPending(Task task) {
        synchronized (lock) {
            if (task.settled()) {
                return false;
            }
            if (pending.remove(task)) {
                task.settle();
                PoolTaskEvent.cancelled(task.event);
                finishClosingLocked();
                return true;
            }
            Worker w = task.worker;
            if (w != null && task.sentTo == w && w.slots.steal(task.slot)) {
                w.queued.remove(task);
                releaseLocked(w, task, false);
                unhandLocked(w);
                task.settle();
                PoolTaskEvent.cancelled(task.event);
                finishClosingLocked();
                return true;
            }
            return false;
        }
    }

    /**
     * Stops {@code task} if a worker has started it, by killing that worker (it is replaced); true if it
     * did. The task's sink is not called: the caller settles it.
     */
    boolean cancelRunning(Task task) {
        Worker worker;
        synchronized (lock) {
            worker = task.worker;
            if (worker == null || task.settled() || task.sentTo != worker || task.slot < 0
                    || worker.slots.state(task.slot) != TaskSlots.STARTED || !worker.queued.remove(task)) {
                return false; // not started (cancelPending's case), or not yet whole in the pipe
            }
            releaseLocked(worker, task, false);
            task.settle();
            PoolTaskEvent.cancelled(task.event);
        }
        worker.link.kill();
        return true;
    }

    public boolean isShutdown() {
        synchronized (lock) {
            return state != State.RUNNING;
        }
    }

    /** Whether the pool was closed or terminated and every worker is gone. */
    public boolean isTerminated() {
        synchronized (lock) {
            return terminatedLocked();
        }
    }

    private boolean terminatedLocked() {
        return state != State.RUNNING && workers.isEmpty() && starting == 0 && pending.isEmpty() && running == 0;
    }

    /**
     * Waits until {@link #isTerminated()} or the timeout passes (null: no limit); a running pool terminates
     * only after {@link #close()} or {@link #terminate()}. Returns whether it terminated.
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + org.multiprocessing4j.internal.Timeouts.nanos(timeout);
        List<Thread> threads;
        synchronized (lock) {
            while (!terminatedLocked()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            threads = new ArrayList<>(relays);
        }
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (timeout != null && left <= 0) {
                return false;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, Long.MAX_VALUE / 2))));
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

    public PoolStats stats() {
        synchronized (lock) {
            long now = System.nanoTime();
            int started = 0;
            List<PoolStats.WorkerStats> live = new ArrayList<>();
            for (Worker w : workers) {
                boolean running = false;
                for (Task t : w.queued) {
                    if (t.slot >= 0 && w.slots.state(t.slot) == TaskSlots.STARTED) {
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
        return name;
    }
}
