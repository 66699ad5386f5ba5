package org.multiprocessing4j.internal.pool;

import java.io.IOException;
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
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * Runs tasks on a fixed number of workers: the engine behind {@code Pool} and {@code ProcessPoolExecutor}.
 *
 * <p>States: RUNNING → CLOSING ({@link #close()}: no new calls; queued tasks finish, then the workers are
 * told to exit) → ENDED; or any → ENDED at once ({@link #terminate()}: workers killed, unfinished tasks
 * cancelled). A pool whose initializer failed or whose workers cannot start is <em>broken</em>: every
 * pending and later task fails with {@link BrokenProcessPoolException}. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Dispatch. Each worker holds at most one task, so a free worker always takes the next task and no task
 * waits behind a busy worker while another is idle (API.md); chunks, not prefetch, batch small work. Under
 * `lock`: a submitted task goes to an idle worker or to the `pending` deque; a worker that answers takes the
 * next pending task or becomes idle. The message is sent outside the lock, by the thread that made the
 * assignment. The relay thread of a worker sends the worker's next task *before* it decodes and delivers the
 * answer, so the worker is busy again while the pool's side does its part.
 *
 * Ownership. `Worker.current` is the one task a worker holds. Every path that ends a task (answer, death,
 * timeout, terminate, a failed send) takes it out of `current` or `pending` under the lock, so exactly one
 * of them settles it; a late answer for a task that was settled by a timeout finds `current` changed and
 * is dropped.
 *
 * Death. The relay thread's receive ends with EOF when the worker's JVM is gone (the ring notices the dead
 * peer's pid within one futex slice) or when the process ends before it touched its pipe (the exit hook
 * closes the pool's end). The relay then collects the exit code, fails the task the worker held with
 * WorkerDiedException, and starts a replacement while there is work to do.
 */
public final class PoolEngine {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** How long a worker whose pipe ended may take to exit before it is killed. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(2);

    private enum State { RUNNING, CLOSING, ENDED }

    private final String name;
    private final int processes;
    private final SerializableRunnable initializer;
    private final int maxTasksPerChild;
    private final Duration taskTimeout;
    private final WorkerLauncher launcher;
    private final ObjectCodec codec;
    private final ThrowableCodec throwables;
    private final ClassLoader loader;
    private final ExecutorService callbacks;
    private final ExecutorService starters;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong functionIds = new AtomicLong();
    private final AtomicInteger workerNumbers = new AtomicInteger();

    private final Object lock = new Object();
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final Set<Worker> workers = new LinkedHashSet<>();
    private final Set<Feeder> feeders = new LinkedHashSet<>();
    private final List<Thread> relays = new ArrayList<>();
    private volatile boolean progressBars;
    private State state = State.RUNNING;
    private int starting;
    private int running;
    private BrokenProcessPoolException broken;
    private long submitted;
    private long completed;
    private long failed;
    private long deaths;
    private long restarts;

    /**
     * Something that submits tasks over time (an imap's input reader); stopped by close, terminate and a
     * broken pool. {@code stopFeeding} must not block.
     */
    interface Feeder {
        void stopFeeding(RuntimeException why);
    }

    public PoolEngine(String kind, int processes, SerializableRunnable initializer, int maxTasksPerChild,
                      Duration taskTimeout, Context context) {
        if (processes <= 0) {
            throw new IllegalArgumentException("the number of worker processes must be at least 1, got " + processes);
        }
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild must be positive (or 0 for no limit), got " + maxTasksPerChild);
        }
        if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
            throw new IllegalArgumentException("taskTimeout must be positive, got " + taskTimeout);
        }
        this.name = kind + "-" + POOLS.incrementAndGet();
        this.processes = processes;
        this.initializer = initializer;
        this.maxTasksPerChild = maxTasksPerChild;
        this.taskTimeout = taskTimeout;
        this.launcher = new ChildWorkerLauncher(context);
        this.codec = DefaultCodec.of(context.serializer().getName());
        this.throwables = new ThrowableCodec(codec);
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        this.loader = ccl != null ? ccl : PoolEngine.class.getClassLoader();
        this.callbacks = Executors.newSingleThreadExecutor(daemon(name + "-results"));
        this.starters = Executors.newCachedThreadPool(daemon(name + "-starter"));
        if (taskTimeout != null) {
            timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timeouts"));
            timer.setRemoveOnCancelPolicy(true);
        } else {
            timer = null;
        }
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
     * Queues {@code task}. A new call ({@code fromFeeder} false) is refused once the pool is closing; a
     * feeder of an earlier call is stopped by close itself.
     *
     * @throws IllegalStateException          if the pool no longer takes calls
     * @throws BrokenProcessPoolException     if the pool is broken
     */
    void submit(Task task) {
        Worker worker;
        synchronized (lock) {
            checkTakingCalls();
            submitted++;
            worker = idle.pollFirst();
            if (worker == null) {
                pending.addLast(task);
                return;
            }
            assignLocked(worker, task);
        }
        send(worker, task);
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
        worker.current = task;
        worker.handed++;
        worker.busySince = System.nanoTime();
        task.worker = worker;
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
                if (worker.current == task) {
                    releaseLocked(worker, task);
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
        }
    }

    /** Takes {@code task} out of {@code worker} (lock held). */
    private void releaseLocked(Worker worker, Task task) {
        worker.current = null;
        worker.busyNanos += System.nanoTime() - worker.busySince;
        task.worker = null;
        running--;
        if (task.timeout != null) {
            task.timeout.cancel(false);
        }
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
            link = launcher.launch(name + "-worker-" + number, initializer, maxTasksPerChild);
        } catch (Throwable e) {
            synchronized (lock) {
                starting--;
            }
            breakPool(name + " cannot start a worker process", e);
            return;
        }
        Worker worker = new Worker(link, number);
        Task next = null;
        boolean keep;
        synchronized (lock) {
            starting--;
            keep = state != State.ENDED && broken == null;
            if (keep) {
                workers.add(worker);
                Thread relay = new Thread(() -> relay(worker), name + "-relay-" + number);
                relay.setDaemon(true);
                worker.relay = relay;
                relays.add(relay);
                relay.start();
                next = pending.pollFirst();
                if (next != null) {
                    assignLocked(worker, next);
                } else {
                    idle.addLast(worker);
                }
            }
            lock.notifyAll();
        }
        if (!keep) {
            link.kill();
            link.closeChannel();
            exitCode(worker);
            link.release();
            return;
        }
        link.onExit(link::closeChannel);
        if (next != null) {
            send(worker, next);
        }
        synchronized (lock) {
            finishClosingLocked();
        }
    }

    /** The loop of one worker's relay thread: answers in, next tasks out, until the worker is gone. */
    private void relay(Worker worker) {
        try {
            while (true) {
                byte[] answer;
                try {
                    answer = worker.link.receive();
                } catch (IOException | InterruptedException e) {
                    break;
                }
                if (answer.length > 0 && answer[0] == TaskMessages.INIT_FAILED) {
                    breakPool("the initializer of " + name + " raised an exception in " + worker, decodeThrowable(answer, worker));
                    break;
                }
                onAnswer(worker, answer);
            }
        } catch (Throwable t) {
            System.err.println(name + ": the relay of " + worker + " failed; the worker is replaced");
            t.printStackTrace();
            worker.link.kill();
        }
        workerLost(worker);
    }

    private void onAnswer(Worker worker, byte[] answer) throws IOException {
        long id = TaskMessages.taskId(answer);
        Task task;
        Task next = null;
        synchronized (lock) {
            task = worker.current;
            if (task == null || task.id != id) {
                return; // settled already (timed out, terminated)
            }
            releaseLocked(worker, task);
            worker.tasksDone++;
            if (!worker.retiring && state != State.ENDED) {
                next = pending.pollFirst();
                if (next != null) {
                    assignLocked(worker, next);
                } else {
                    idle.addLast(worker);
                }
            }
        }
        if (next != null) {
            send(worker, next);
        }
        if (answer[0] == TaskMessages.OK) {
            Object value;
            try {
                value = codec.decode(answer, TaskMessages.HEADER, answer.length - TaskMessages.HEADER, loader);
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                settle(task, null, new ProcessError("cannot decode the result of a task answered by " + worker + ": " + e, e));
                return;
            }
            settle(task, value, null);
        } else {
            settle(task, null, decodeThrowable(answer, worker));
        }
        synchronized (lock) {
            finishClosingLocked();
        }
    }

    private Throwable decodeThrowable(byte[] answer, Worker worker) {
        byte[] body = java.util.Arrays.copyOfRange(answer, TaskMessages.HEADER, answer.length);
        Throwable t;
        try {
            t = throwables.decode(body, loader);
        } catch (IOException | RuntimeException e) {
            return new ProcessError("cannot decode the exception raised by a task in " + worker + ": " + e, e);
        }
        return WorkerOrigin.mark(t, worker.link.name(), worker.link.pid());
    }

    private void workerLost(Worker worker) {
        Task task;
        synchronized (lock) {
            if (worker.lost) {
                return;
            }
            worker.lost = true;
            workers.remove(worker);
            idle.remove(worker);
            task = worker.current;
            if (task != null) {
                releaseLocked(worker, task);
            }
        }
        worker.link.closeChannel();
        int code = exitCode(worker);
        worker.link.release();
        if (task != null) {
            settle(task, null, new WorkerDiedException(worker.link.name(), worker.link.pid(), code));
        }
        synchronized (lock) {
            boolean expected = task == null && code == 0 && (worker.retiring || state != State.RUNNING);
            if (!expected) {
                deaths++;
            }
            if (state != State.ENDED && broken == null && (state == State.RUNNING || !pending.isEmpty() || running > 0 || !feeders.isEmpty())) {
                restarts++;
                launchLocked();
            }
            finishClosingLocked();
            lock.notifyAll();
        }
    }

    /** The exit code of a worker whose pipe ended, killing it if it does not exit within the grace. */
    private static int exitCode(Worker worker) {
        boolean interrupted = false;
        Integer exit = null;
        for (int attempt = 0; attempt < 2 && exit == null; attempt++) {
            try {
                exit = worker.link.awaitExit(EXIT_GRACE);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (exit == null) {
                worker.link.kill();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return exit == null ? -9 : exit;
    }

    private void timedOut(Worker worker, Task task) {
        synchronized (lock) {
            if (worker.current != task) {
                return;
            }
            releaseLocked(worker, task);
        }
        worker.link.kill();
        settle(task, null, new TaskTimeoutException(worker.link.name(), worker.link.pid(), taskTimeout));
    }

    // ---------------------------------------------------------------- outcomes

    private void settle(Task task, Object value, Throwable error) {
        synchronized (lock) {
            if (task.settled) {
                return;
            }
            task.settled = true;
            if (error == null) {
                completed++;
            } else if (!(error instanceof CancellationException)) {
                failed++;
            }
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
        synchronized (lock) {
            if (broken == null) {
                broken = new BrokenProcessPoolException(why + " (the pool is broken: pending and later tasks fail)", cause);
            }
            error = broken;
            lost.addAll(pending);
            pending.clear();
            for (Worker w : workers) {
                if (w.current != null) {
                    lost.add(w.current);
                    releaseLocked(w, w.current);
                }
            }
            all = new ArrayList<>(workers);
            stopped = new ArrayList<>(feeders);
            lock.notifyAll();
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
            stopped = new ArrayList<>(feeders);
            finishClosingLocked();
        }
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
     * Kills every worker now; tasks not finished are cancelled. Returns when the workers are gone (within
     * a few seconds at most). Idempotent.
     */
    public void terminate() {
        List<Task> cancelled = new ArrayList<>();
        List<Worker> all;
        List<Feeder> stopped;
        synchronized (lock) {
            state = State.ENDED;
            cancelled.addAll(pending);
            pending.clear();
            for (Worker w : workers) {
                if (w.current != null) {
                    cancelled.add(w.current);
                    releaseLocked(w, w.current);
                }
            }
            idle.clear();
            all = new ArrayList<>(workers);
            stopped = new ArrayList<>(feeders);
            lock.notifyAll();
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

    /** Tasks that never reached a worker, removed from the queue and cancelled (for {@code shutdownNow}). */
    public List<Object> drainPending() {
        List<Task> drained;
        synchronized (lock) {
            drained = new ArrayList<>(pending);
            pending.clear();
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

    /** Removes {@code task} if no worker has it yet; true if it was removed (and so will never run). */
    boolean cancelPending(Task task) {
        synchronized (lock) {
            if (!pending.remove(task)) {
                return false;
            }
            task.settled = true;
            finishClosingLocked();
            return true;
        }
    }

    /**
     * Stops {@code task} if a worker runs it, by killing that worker (it is replaced); true if it did. The
     * task's sink is not called: the caller settles it.
     */
    boolean cancelRunning(Task task) {
        Worker worker;
        synchronized (lock) {
            worker = task.worker;
            if (worker == null || worker.current != task || task.settled) {
                return false;
            }
            releaseLocked(worker, task);
            task.settled = true;
        }
        worker.link.kill();
        return true;
    }

    /** Whether {@code task} has been given to a worker or finished. */
    boolean started(Task task) {
        synchronized (lock) {
            return task.worker != null || task.settled;
        }
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
        return state != State.RUNNING && workers.isEmpty() && starting == 0;
    }

    /**
     * Waits until {@link #isTerminated()} or the timeout passes; null waits without limit.
     *
     * @throws IllegalStateException if the pool was neither closed nor terminated
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
            List<PoolStats.WorkerStats> live = new ArrayList<>();
            for (Worker w : workers) {
                long busy = w.busyNanos + (w.current != null ? now - w.busySince : 0);
                live.add(new PoolStats.WorkerStats(w.link.name(), w.link.pid(), w.tasksDone, Duration.ofNanos(busy), w.current != null));
            }
            return new PoolStats(processes, submitted, completed, failed, pending.size(), running, deaths, restarts, List.copyOf(live));
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
