package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.pool.TaskMessages;
import org.multiprocessing4j.internal.pool.TaskSlots;
import org.multiprocessing4j.internal.pool.WorkerLink;

/**
 * The pool's line to one worker thread on a cluster member: task frames out on the link's task queue,
 * answers in from its answer queue, each frame signed and numbered ({@link Frames}).
 *
 * <p>A sent task cannot be taken back (the pool holds one task per worker: {@link ClusterLauncher}), so
 * {@link #send} marks its slot STARTED. When the worker is gone (its member left the cluster, or the pool
 * killed it), the task queue is drained: a task still in it never started, and its slot is set QUEUED
 * again before {@link #awaitExit} returns, so the pool re-runs it elsewhere; a task not in it was taken
 * by the worker and fails with {@code WorkerDiedException}. Death ends {@link #receive()} after the
 * answers already in the answer queue. A member that left is reported as exit code -9 (gone, as if
 * killed); a killed link also as -9. A killed link tells the member's worker host too (ABANDON on the
 * member's control queue, which the link's release does not destroy), so that a worker busy with a task
 * ends when the task returns instead of waiting on its destroyed task queue.
 */
final class ClusterLink implements WorkerLink {
    private static final long POLL_MS = 200;
    static final int GONE = -9;
    /** Sends back to which a retried frame's copies are remembered (at least the tasks a worker may hold). */
    private static final int STORED_KEPT = 64;

    private final ClusterTransport transport;
    private final String name;
    private final String linkId;
    private final java.util.UUID member;
    private final long pid;
    private final String memberAddress;
    private final TaskSlots slots;
    private final Frames frames;
    private final String taskName;
    private final String answerName;
    private final IQueue<byte[]> tasks;
    private final IQueue<byte[]> answers;
    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private long sendSeq;
    /**
     * Task frames whose put was retried, by number: how many copies of each the task queue may have got
     * (a failed attempt may have stored it). Guarded by {@code sendLock}.
     */
    private final TreeMap<Long, Integer> stored = new TreeMap<>();
    private long receiveSeq;
    private byte[] first;
    private volatile boolean closed;
    private volatile boolean memberGone;

    ClusterLink(ClusterTransport transport, HazelcastInstance client, String name, String linkId, java.util.UUID member,
                String memberAddress, long pid, int slotCount) {
        this.memberAddress = memberAddress;
        this.transport = transport;
        this.name = name;
        this.linkId = linkId;
        this.member = member;
        this.pid = pid;
        this.slots = TaskSlots.inHeap(slotCount);
        this.frames = transport.frames();
        this.taskName = Protocol.taskQueue(linkId);
        this.answerName = Protocol.answerQueue(linkId);
        this.tasks = client.getQueue(taskName);
        this.answers = client.getQueue(answerName);
    }

    java.util.UUID member() {
        return member;
    }

    String memberAddress() {
        return memberAddress;
    }

    String linkId() {
        return linkId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public TaskSlots slots() {
        return slots;
    }

    /** Its member left the cluster (the transport's membership listener). */
    void memberGone() {
        memberGone = true;
    }

    /**
     * Waits for the worker's first frame: STARTED (it runs the initializer; its READY or INIT_FAILED comes
     * later through {@link #receive()}), or its first message (READY or INIT_FAILED), kept for
     * {@link #receive()}; false if none came within {@code timeout} (a member with the wrong authkey drops
     * the request). True also when the member left meanwhile: {@link #receive()} then reports the end.
     */
    boolean awaitFirst(Duration timeout) throws InterruptedException {
        long deadline = Saturating.deadline(Saturating.nanos(timeout));
        synchronized (receiveLock) {
            while (first == null && !memberGone && System.nanoTime() < deadline) {
                byte[] body = next(POLL_MS);
                if (body != null && body[0] == Protocol.STARTED) {
                    return true;
                } else if (body != null && body[0] == Protocol.ANSWER) {
                    first = Protocol.unwrap(body);
                } else if (body != null && body[0] == Protocol.EXIT) {
                    end(Protocol.exitCode(body));
                    return true;
                }
            }
            return first != null || memberGone;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends and the end of the link ({@link #kill}, a member gone, EXIT) are serialized by
     * {@code sendLock}, so a task is either in the queue when the end drains it (and so re-run elsewhere)
     * or refused here with {@link EOFException} (and so put back by the pool). A task whose frame cannot be
     * put on the queue even after retries ends the link: the task then counts as started (it fails with
     * {@code WorkerDiedException} unless the drain finds it), as the frame may have arrived.
     */
    @Override
    public void send(byte[] message) throws IOException {
        synchronized (sendLock) {
            if (closed || exit.isDone() || memberGone) {
                throw new EOFException(name + " is gone");
            }
            if (!slots.start(TaskMessages.slot(message))) {
                // NOTE: sent is started: the pool never takes a sent task back. It may withdraw one before its
                // send (shutdownNow, which kills this worker next): then it is not sent at all
                return;
            }
            byte[] frame = frames.seal(taskName, ++sendSeq, Protocol.wrap(Protocol.TASK, message));
            // NOTE: the worker reads in order and holds one task (ClusterLauncher): copies of frames well before
            // this one were read and dropped before it took a later one; the margin keeps this true for any depth
            stored.headMap(sendSeq - STORED_KEPT).clear();
            int tries = Queues.tries(tasks, frame, () -> memberGone || !transport.running(), Queues.ATTEMPTS);
            if (Math.abs(tries) > 1) {
                stored.put(sendSeq, Math.abs(tries));
            }
            if (tries < 0) {
                kill();
            }
        }
    }

    @Override
    public byte[] receive() throws IOException, InterruptedException {
        synchronized (receiveLock) {
            if (first != null) {
                byte[] out = first;
                first = null;
                return out;
            }
            while (!closed && !exit.isDone()) {
                byte[] body = next(memberGone ? 0 : POLL_MS);
                if (body == null) {
                    if (memberGone) {
                        break;
                    }
                    continue;
                }
                if (body[0] == Protocol.ANSWER) {
                    return Protocol.unwrap(body);
                }
                if (body[0] == Protocol.EXIT) {
                    end(Protocol.exitCode(body));
                }
            }
            throw new EOFException(name + " ended");
        }
    }

    /** The next good frame's body from the answer queue within {@code ms} (0: no wait), or null. */
    private byte[] next(long ms) throws InterruptedException {
        byte[] frame;
        try {
            frame = Queues.poll(answers, TimeUnit.MILLISECONDS.toNanos(ms)); // an item that is not a frame: FOREIGN, logged
        } catch (RuntimeException e) {
            if (!transport.running()) {
                memberGone = true; // the client itself is shut down: every worker is out of reach
            } else {
                Thread.sleep(POLL_MS); // offline for now (reconnecting): no busy loop
            }
            return null;
        }
        if (frame == null || frame == Queues.FOREIGN) {
            return null;
        }
        byte[] body = frames.open(answerName, receiveSeq + 1, frame);
        if (body == null || body.length == 0) {
            WorkerLog.warn("dropped a frame of " + frame.length + " bytes on " + answerName + ": "
                    + frames.whyRefused(answerName, receiveSeq + 1, frame) + "; nothing of it was read");
            return null;
        }
        if (Frames.seq(frame) != receiveSeq + 1) {
            WorkerLog.warn("frames " + (receiveSeq + 1) + ".." + (Frames.seq(frame) - 1) + " on " + answerName + " never arrived");
        }
        receiveSeq = Frames.seq(frame);
        return body;
    }

    @Override
    public void closeChannel() {
        if (closed) {
            return;
        }
        closed = true;
        if (!exit.isDone() && !memberGone) {
            sendControl(false);
        }
    }

    private void sendControl(boolean abandon) {
        synchronized (sendLock) {
            // NOTE: on failure the cluster is out of reach: the member's worker ends when it sees the client gone
            Queues.add(tasks, frames.seal(taskName, ++sendSeq, Protocol.stop(abandon)), () -> memberGone || !transport.running());
        }
    }

    /**
     * Tells the member's worker host that this worker is given up. The STOP put on the task queue is not
     * enough: {@link #release()} destroys that queue, possibly before a worker busy with a task reads it,
     * and the worker would then wait on an empty queue forever. The member's control queue outlives the
     * link, so the worker learns it was abandoned and ends when its task returns.
     */
    private void abandonOnMember() {
        String control = Protocol.controlQueue(member);
        IQueue<byte[]> queue = transport.controlQueue(member);
        // NOTE: on failure the cluster is out of reach: the member's worker ends when it sees the client gone
        Queues.add(queue, frames.seal(control, java.util.concurrent.ThreadLocalRandom.current().nextLong(), Protocol.abandon(linkId)),
                () -> memberGone || !transport.running());
    }

    @Override
    public void release() {
        transport.detach(this);
        for (IQueue<byte[]> q : List.of(tasks, answers)) {
            try {
                q.destroy();
            } catch (RuntimeException bestEffort) {
                // the cluster is out of reach
            }
        }
    }

    @Override
    public void kill() {
        synchronized (sendLock) {
            if (exit.isDone()) {
                return;
            }
            requeueUnstarted();
            if (!memberGone) {
                sendControl(true);
                abandonOnMember();
            }
            finish(GONE);
        }
    }

    /** The worker ended with {@code code}: tasks it never took count as never started. */
    private void end(int code) {
        synchronized (sendLock) {
            if (!exit.isDone()) {
                requeueUnstarted();
                finish(code);
            }
        }
    }

    /**
     * Takes the tasks the worker never took out of its queue and marks their slots QUEUED (never started).
     * One poll per item (the queue holds a few): an item that is not a frame (put by someone without the
     * authkey) is dropped and logged by {@link Queues#poll}, and does not cost the frames after it, as a
     * {@code drainTo} failing on it would.
     */
    private void requeueUnstarted() {
        List<byte[]> left = new ArrayList<>();
        try {
            for (byte[] frame; (frame = Queues.poll(tasks, 0)) != null; ) {
                left.add(frame);
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // not expected: a poll without a wait
            }
            // out of reach: the tasks not taken yet count as started (they fail, none runs twice)
        }
        // NOTE: a retried put may have stored its frame twice, and the worker drops the copy only at its next
        // read: one copy left does not prove that the task was never taken. It counts as never started only
        // when every copy its put may have stored is still there (at most once: a task never runs twice).
        Map<Long, Integer> found = new HashMap<>();
        for (byte[] frame : left) {
            if (frames.open(taskName, Frames.ANY_SEQ, frame) != null) {
                found.merge(Frames.seq(frame), 1, Integer::sum);
            }
        }
        for (byte[] frame : left) {
            byte[] body = frames.open(taskName, Frames.ANY_SEQ, frame);
            if (body != null && found.get(Frames.seq(frame)) < stored.getOrDefault(Frames.seq(frame), 1)) {
                continue;
            }
            if (body != null && body.length > TaskMessages.HEADER && body[0] == Protocol.TASK) {
                int slot = TaskMessages.slot(Protocol.unwrap(body));
                if (slot < slots.size() && slots.state(slot) == TaskSlots.STARTED) {
                    slots.queue(slot);
                }
            }
        }
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        if (exit.isDone()) {
            return exit.join();
        }
        if (memberGone) {
            end(GONE);
            return exit.join();
        }
        long deadline = Saturating.deadline(Saturating.nanos(timeout));
        synchronized (receiveLock) {
            while (!exit.isDone() && !memberGone && System.nanoTime() < deadline) {
                byte[] body = next(Math.max(1, Math.min(POLL_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                if (body != null && body[0] == Protocol.EXIT) {
                    end(Protocol.exitCode(body));
                }
            }
        }
        if (!exit.isDone() && memberGone) {
            end(GONE);
        }
        return exit.isDone() ? exit.join() : null;
    }

    private void finish(int code) {
        exit.complete(code);
    }

    @Override
    public void onExit(Runnable action) {
        exit.thenRun(action);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid + ")";
    }
}
