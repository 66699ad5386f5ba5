package org.multiprocessing4j.internal.queue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.launch.ExitSequence;

/**
 * The items one process has put into an unbounded queue while its shared memory was full, and the daemon
 * thread that moves them into it as room appears: CPython's feeder thread, used only when the ring is
 * full, so that {@code put} on an unbounded queue never blocks (Python's semantics). Items leave in the
 * order they came; while any is pending, later puts of this process queue behind it.
 *
 * <p>Lifetime. The thread runs while items are pending and ends when none are. It writes through a
 * mapping of its own ({@link SharedQueue#attach}, made with this object), so the queue's {@code close()}
 * in this process, which ends the caller's mapping at once, does not stop it: {@link #closeWhenFlushed}
 * ends this mapping (and, in the creating process, removes the file) once the last item is in shared
 * memory. At the JVM's normal exit (return from main,
 * {@code System.exit}) a step of the exit sequence waits until every feeder not {@link #cancelJoin()
 * cancelled} has flushed, as CPython's {@code join_thread} at exit; after 5 s it says on stderr what it
 * waits for. A process killed (SIGKILL) loses its pending items, as in CPython.
 *
 * <p>Thread-safe: any thread of the process may add; the feeder thread takes.
 */
public final class QueueFeeder {
    private static final long WARN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long FOREVER_NANOS = 1L << 62;
    /** The feeders of this JVM with a mapping still open, for the exit step. */
    private static final Set<QueueFeeder> OPEN = ConcurrentHashMap.newKeySet();

    static {
        ExitSequence.add(ExitSequence.Phase.QUEUE_FEEDERS, QueueFeeder::flushAllAtExit);
    }

    private final SharedQueue queue;
    private final String name;
    /** Pending items, oldest first; the head stays here until it is in shared memory. Guarded by this. */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** {@code pending.size()}, readable without the monitor (a put's "anything pending?" look). */
    private volatile int count;
    private boolean running;
    private boolean closeRequested;
    private boolean unlinkOnClose;
    private boolean closed;
    private volatile boolean cancelled;

    private QueueFeeder(SharedQueue queue, String name) {
        this.queue = queue;
        this.name = name;
    }

    /**
     * A feeder for the queue at {@code path}, with a mapping of its own.
     *
     * @param name what to call the queue in messages
     * @throws IOException if the queue's file cannot be mapped (it is gone)
     */
    public static QueueFeeder open(Path path, String name) throws IOException {
        QueueFeeder f = new QueueFeeder(SharedQueue.attach(path), name);
        OPEN.add(f);
        return f;
    }

    /** Items pending now (approximate while the thread feeds). */
    public int count() {
        return count;
    }

    /**
     * Queues {@code message} behind the pending items if there are any; otherwise does nothing.
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
     * Queues {@code message} (the shared memory had no room for it) and makes sure the thread runs.
     *
     * @throws IllegalStateException if {@link #closeWhenFlushed} was called
     */
    public synchronized void add(byte[] message) {
        if (closeRequested) {
            throw new IllegalStateException(name + " is closed");
        }
        add0(message);
        if (!running) {
            running = true;
            Thread t = new Thread(this::feed, "mp4j-feeder " + name);
            t.setDaemon(true); // NOTE: the exit step, not a live thread, makes exit wait (CPython's order)
            t.start();
        }
    }

    private void add0(byte[] message) {
        pending.addLast(message);
        count = pending.size();
    }

    /** The thread: puts the oldest pending item, waiting for room, until none is left. */
    private void feed() {
        try {
            for (;;) {
                byte[] head;
                synchronized (this) {
                    head = pending.peekFirst();
                    if (head == null || cancelled && closeRequested) {
                        running = false;
                        notifyAll();
                        break;
                    }
                }
                queue.put(head, FOREVER_NANOS);
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
                pending.clear();
                count = 0;
                running = false;
                notifyAll();
            }
        } finally {
            closeIfDone();
        }
    }

    /**
     * Waits until no item is pending (Python's {@code join_thread}), or the timeout passes.
     *
     * @return true if none is pending
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean awaitFlushed(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(timeoutNanos, FOREVER_NANOS);
        while (!pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** The exit step does not wait for this feeder (Python's {@code cancel_join_thread}): pending items may be lost. */
    public void cancelJoin() {
        cancelled = true;
    }

    /**
     * No more items will be added (the queue was closed in this process): the own mapping is closed once
     * nothing is pending, now if nothing is; if {@link #cancelJoin()} was called, pending items are dropped.
     *
     * @param unlink also remove the queue's file then (the creating process closed it): not before, so that
     *        a consumer that has yet to attach can still reach the items this process still feeds in
     */
    public void closeWhenFlushed(boolean unlink) {
        synchronized (this) {
            closeRequested = true;
            unlinkOnClose = unlink;
            if (cancelled) {
                pending.clear();
                count = 0;
            }
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

    /** The exit step: waits for every feeder not cancelled to flush, saying on stderr what it waits for. */
    private static void flushAllAtExit() {
        List<QueueFeeder> feeders = new ArrayList<>(OPEN);
        boolean interrupted = false;
        for (QueueFeeder f : feeders) {
            if (f.cancelled) {
                continue;
            }
            try {
                if (!f.awaitFlushed(WARN_AFTER_NANOS)) {
                    System.err.println("multiprocessing4j: exit waits until another process takes the " + f.count()
                            + " item(s) this process put into " + f.name + " (Python's join_thread at exit); take"
                            + " them before joining this process, or call cancelJoinThread() to let them go");
                    f.awaitFlushed(FOREVER_NANOS);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "QueueFeeder[" + name + ", " + count + " pending]";
    }
}
