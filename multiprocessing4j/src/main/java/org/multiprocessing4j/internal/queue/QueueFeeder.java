package org.multiprocessing4j.internal.queue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.launch.ProcessTree;

/**
 * The items one process has put into a queue while its shared memory was full, and the daemon thread that
 * moves them into it as room appears: CPython's feeder thread, used only when the ring is full, so that
 * {@code put} waits for nothing but {@code maxsize} (Python's semantics). Each pending item is counted in
 * the queue's shared buffered count (so it holds its place under {@code maxsize}, and joiners wait for it)
 * until the thread publishes it. Items leave in the order they came; while any is pending, later puts of
 * this process queue behind them.
 *
 * <p>Lifetime. The thread runs while items are pending and ends when none are. It writes through a
 * mapping of its own ({@link SharedQueue#attach}, made with this object), so the queue's {@code close()}
 * in this process, which ends the caller's mapping at once, does not stop it: {@link #closeWhenFlushed}
 * ends this mapping (and, in the creating process, removes the file) once the last item is in shared
 * memory. At the JVM's normal exit (return from main, {@code System.exit}) a step of the exit sequence
 * waits until every feeder not {@link #cancelJoin() cancelled} has flushed, as CPython's
 * {@code join_thread} at exit; after 5 s it says on stderr what it waits for. A terminating signal
 * (SIGTERM, SIGINT, SIGHUP) ends that wait, and so does, in a child, its parent's death, so a child never
 * outlives its parent; the items not yet in are then lost.
 * A process killed (SIGKILL) loses its pending items, as in CPython; the other processes take their
 * counts back ({@link BufferedCounts}).
 *
 * <p>Thread-safe: any thread of the process may add; the feeder thread takes.
 */
public final class QueueFeeder {
    private static final long WARN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long EXIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long the exit waits for running feeder threads to give up their items (see {@link #dropWhatIsLeft()}). */
    private static final long STOP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The feeders of this JVM with a mapping still open, for the exit step. */
    private static final Set<QueueFeeder> OPEN = ConcurrentHashMap.newKeySet();

    static {
        ExitSequence.add(ExitSequence.Phase.QUEUE_FEEDERS, QueueFeeder::flushAllAtExit);
    }

    private final SharedQueue queue;
    private final String name;
    /** Told of every item given up unput (a spill frame's file must go then). */
    private final Consumer<byte[]> onDrop;
    /** Pending items, oldest first; the head stays here until it is in shared memory. Guarded by this. */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** {@code pending.size()}, readable without the monitor (a put's "anything pending?" look). */
    private volatile int count;
    private boolean running;
    private boolean closeRequested;
    private boolean unlinkOnClose;
    private boolean closed;
    private volatile boolean cancelled;
    /** Set at exit once nothing waits for the pending items any more: the thread gives them up. */
    private volatile boolean stopping;

    private QueueFeeder(SharedQueue queue, String name, Consumer<byte[]> onDrop) {
        this.queue = queue;
        this.name = name;
        this.onDrop = onDrop;
    }

    /**
     * A feeder for the queue at {@code path}, with a mapping of its own.
     *
     * @param name what to call the queue in messages
     * @param onDrop told of each item this process gives up before it is in shared memory (its error path,
     *        or the exit's), in the thread that gives it up; must not throw
     * @throws IOException if the queue's file cannot be mapped (it is gone: its creator closed it)
     */
    public static QueueFeeder open(Path path, String name, Consumer<byte[]> onDrop) throws IOException {
        QueueFeeder f = new QueueFeeder(SharedQueue.attach(path), name, onDrop);
        OPEN.add(f);
        return f;
    }

    /** Items pending now (approximate while the thread feeds). */
    public int count() {
        return count;
    }

    /**
     * Queues {@code message} behind the pending items if there are any, counting it as buffered; otherwise
     * does nothing. For a queue without {@code maxsize}, whose items need no place reserved under the
     * producer lock.
     *
     * @return true if it was queued (the caller must not put it itself)
     * @throws IllegalStateException if {@link #closeWhenFlushed} was called and items are pending
     */
    public synchronized boolean addIfPending(byte[] message) {
        if (pending.isEmpty()) {
            return false;
        }
        if (closeRequested) {
            throw new IllegalStateException(name + " is closed");
        }
        add0(message);
        return true;
    }

    /**
     * Queues {@code message}, which {@link SharedQueue#putOrReserve} counted as buffered already, and makes
     * sure the thread runs.
     *
     * @throws IllegalStateException if {@link #closeWhenFlushed} was called (the item stays counted: the caller
     *         takes it back)
     */
    public synchronized void addReserved(byte[] message) {
        if (closeRequested) {
            throw new IllegalStateException(name + " is closed");
        }
        pending.addLast(message);
        count = pending.size();
        if (!running) {
            running = true;
            Thread t = new Thread(this::feed, "mp4j-feeder " + name);
            t.setDaemon(true); // NOTE: the exit step, not a live thread, makes exit wait (CPython's order)
            t.start();
        }
    }

    private void add0(byte[] message) {
        // NOTE: counted before it is pending, so a joiner never sees it in neither place
        queue.addBuffered(1);
        pending.addLast(message);
        count = pending.size();
    }

    /** Drops every pending item (the process gives them up), taking them out of the shared count. Lock held. */
    private void dropPendingLocked() {
        int n = pending.size();
        for (byte[] item : pending) {
            try {
                onDrop.accept(item);
            } catch (RuntimeException bestEffort) {
                // the tree's sweep removes what is left
            }
        }
        pending.clear();
        count = 0;
        if (n > 0) {
            try {
                queue.addBuffered(-n);
            } catch (RuntimeException | InternalError unmapped) {
                // the mapping is gone: nobody can join on it from here
            }
        }
    }

    /** The thread: puts the oldest pending item when there is room ({@link SharedQueue#putReservedWhenRoom}), until none is left. */
    private void feed() {
        try {
            for (;;) {
                byte[] head;
                synchronized (this) {
                    head = pending.peekFirst();
                    if (head == null) {
                        running = false;
                        notifyAll();
                        break;
                    }
                }
                // NOTE: only this thread takes the head: it is still the head. The put takes it out of the
                // buffered count in the same locked step that publishes it.
                if (!queue.putReservedWhenRoom(head, () -> stopping)) {
                    synchronized (this) {
                        dropPendingLocked(); // NOTE: the head included: it was not put, and is counted still
                        running = false;
                        notifyAll();
                    }
                    break;
                }
                synchronized (this) {
                    pending.pollFirst();
                    count = pending.size();
                    if (pending.isEmpty()) {
                        notifyAll();
                    }
                }
            }
        } catch (InterruptedException | RuntimeException | InternalError e) {
            synchronized (this) {
                System.err.println("multiprocessing4j: " + pending.size() + " item(s) put into " + name
                        + " could not be moved into its shared memory and are dropped: " + e);
                dropPendingLocked();
                running = false;
                notifyAll();
            }
        } finally {
            closeIfDone();
        }
    }

    /**
     * Waits until no item is pending (Python's {@code join_thread}), or the timeout passes; returns at once
     * after {@link #cancelJoin()}, as Python's does.
     *
     * @return true if none is pending, or the join was cancelled
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean awaitFlushed(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(timeoutNanos, 1L << 62);
        while (!pending.isEmpty() && !cancelled) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Python's {@code cancel_join_thread}: neither {@link #awaitFlushed} nor the JVM's exit waits for the
     * pending items any more; the thread goes on feeding them while the process lives.
     */
    public void cancelJoin() {
        synchronized (this) {
            cancelled = true;
            notifyAll();
        }
    }

    /**
     * No more items will be added (the queue was closed in this process): the own mapping is closed once
     * nothing is pending, now if nothing is.
     *
     * @param unlink also remove the queue's file then (the creating process closed it): not before, so that
     *        a consumer that has yet to attach can still reach the items this process still feeds in
     */
    public void closeWhenFlushed(boolean unlink) {
        synchronized (this) {
            closeRequested = true;
            unlinkOnClose = unlink;
        }
        closeIfDone();
    }

    private void closeIfDone() {
        synchronized (this) {
            if (closed || !closeRequested || running || !pending.isEmpty()) {
                return;
            }
            closed = true;
        }
        OPEN.remove(this);
        if (unlinkOnClose) {
            try {
                queue.unlink();
            } catch (IOException bestEffort) {
                // the tree's sweep removes it at exit
            }
        }
        queue.close();
    }

    /**
     * The exit step: waits until no feeder that is not cancelled has items pending, those started meanwhile
     * included, saying on stderr after 5 s what it waits for. It stops waiting when a terminating signal
     * comes ({@link ExitSequence#abandonWaits()}) or, in a child, its parent is gone: it must not outlive it.
     */
    private static void flushAllAtExit() {
        if (anythingToWaitFor()) {
            awaitFeedersAtExit();
        }
        dropWhatIsLeft();
    }

    /**
     * Waits, as the exit step does, until no feeder of this JVM that is not cancelled has items pending: for a
     * pool worker that is about to end, which must not be killed before its tasks' items are in (the pool
     * allows a worker that ended its pipe a short grace only). Returns at once if nothing is pending.
     */
    public static void flushBeforeLeaving() {
        if (anythingToWaitFor()) {
            awaitFeedersAtExit();
        }
    }

    /** The wait of {@link #flushAllAtExit()}. */
    private static void awaitFeedersAtExit() {
        // NOTE: once hooks run, the JVM's own SIGTERM/SIGINT handlers only block in Runtime.exit: make a
        // terminating signal end this wait instead (a child's handlers do so already)
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> ExitSequence.abandonWaits());
            } catch (IllegalArgumentException | IllegalStateException unavailable) {
                // -Xrs, or the signal is reserved on this platform
            }
        }
        long warnAt = System.nanoTime() + WARN_AFTER_NANOS;
        boolean warned = false;
        boolean interrupted = false;
        long parent = ProcessTree.self().parentPid();
        for (;;) {
            QueueFeeder waiting = null;
            for (QueueFeeder f : OPEN) {
                if (!f.cancelled && f.count() > 0) {
                    waiting = f;
                    break;
                }
            }
            if (waiting == null) {
                break;
            }
            if (ExitSequence.waitsAbandoned() || parent != 0 && ProcessHandle.of(parent).map(p -> !p.isAlive()).orElse(true)) {
                System.err.println("multiprocessing4j: " + waiting.count() + " item(s) put into " + waiting.name
                        + " are dropped: this process is told to end, or its parent is gone");
                break;
            }
            if (!warned && System.nanoTime() - warnAt >= 0) {
                warned = true;
                System.err.println("multiprocessing4j: exit waits until another process takes the " + waiting.count()
                        + " item(s) this process put into " + waiting.name + " (Python's join_thread at exit); take"
                        + " them before joining this process, or call cancelJoinThread() to let them go");
            }
            try {
                waiting.awaitFlushed(EXIT_SLICE_NANOS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gives up what is still pending (cancelled, or no longer waited for): it dies with this JVM, so its
     * places under {@code maxsize} and a joiner elsewhere must not wait for it. A running thread gives up
     * itself between two tries (at most one backoff, 5 ms, later); one that does not within
     * {@link #STOP_WAIT_NANOS} (stuck on the producer lock) keeps its head counted, since it may still land.
     */
    private static void dropWhatIsLeft() {
        for (QueueFeeder f : OPEN) {
            f.stopping = true;
        }
        long deadline = System.nanoTime() + STOP_WAIT_NANOS;
        for (QueueFeeder f : OPEN) {
            synchronized (f) {
                try {
                    long left;
                    while (f.running && (left = deadline - System.nanoTime()) > 0) {
                        TimeUnit.NANOSECONDS.timedWait(f, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (f.pending.isEmpty()) {
                    continue;
                }
                if (!f.running) {
                    f.dropPendingLocked();
                } else {
                    // NOTE: the thread may be putting the head: leave that one (counted, pending), it may still
                    // land; the rest go, so that the thread cannot put them after their count was taken back
                    byte[] head = f.pending.pollFirst();
                    f.dropPendingLocked();
                    f.pending.addFirst(head);
                    f.count = f.pending.size();
                }
            }
        }
    }

    private static boolean anythingToWaitFor() {
        for (QueueFeeder f : OPEN) {
            if (!f.cancelled && f.count() > 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "QueueFeeder[" + name + ", " + count + " pending]";
    }
}
