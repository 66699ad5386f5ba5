package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.pool.TaskRunner;

/**
 * One pool worker on a cluster member: a thread that runs the pool's initializer, then takes the pool's
 * task frames from its task queue one at a time, checks each frame's signature and number before it
 * reads anything of it (a bad frame is logged and dropped), runs the task and puts the signed answer on
 * its answer queue. It ends on a STOP frame (answering EXIT, or silently when abandoned), after
 * {@code maxTasks} tasks (answering EXIT), or when {@link #abandon()}ed (its pool's client left the
 * cluster) or {@link #abandonByPool()}ed (its pool gave it up: a task timeout, cancel or terminate).
 * When it ends it destroys its task queue (and its answer queue too when abandoned, as nobody will read
 * it). A task already running when it is abandoned runs to its end (a thread cannot be
 * killed); its answer is dropped.
 */
final class MemberWorker implements Runnable {
    private static final long POLL_MS = 500;
    /** Idle this long, a worker checks that its pool's client is still connected to this member. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final HazelcastInstance hz;
    private final Frames frames;
    private final Protocol.Start start;
    private final String taskName;
    private final String answerName;
    private final Runnable onEnd;
    private final java.util.function.BooleanSupplier clientGone;
    private volatile boolean abandoned;
    /** Abandoned because the pool's client seems gone: tell it (EXIT -1) in case it is still there. */
    private volatile boolean tellPool;
    private final java.util.function.Consumer<Runnable> later;
    private long taskSeq;
    private long answerSeq;

    MemberWorker(HazelcastInstance hz, Frames frames, Protocol.Start start, Runnable onEnd,
                 java.util.function.BooleanSupplier clientGone, java.util.function.Consumer<Runnable> later) {
        this.clientGone = clientGone;
        this.later = later;
        this.hz = hz;
        this.frames = frames;
        this.start = start;
        this.taskName = Protocol.taskQueue(start.linkId());
        this.answerName = Protocol.answerQueue(start.linkId());
        this.onEnd = onEnd;
    }

    Protocol.Start start() {
        return start;
    }

    /**
     * Its pool's client left: end after the current task. The task's answer and an EXIT frame with code
     * {@value #ABANDONED} are still put (once each, no retry), so that a client that was only cut off from
     * this member sees the worker gone instead of waiting for it; the answer queue is destroyed a little
     * later (a client cut off from the whole cluster gives up its workers itself when it is back).
     */
    void abandon() {
        tellPool = true;
        abandoned = true;
    }

    /**
     * Its pool gave it up (a task timeout, a cancel, a terminate: {@code ClusterLink.kill}): end after the
     * current task, putting nothing more on the answer queue (the pool destroyed both queues, or is about
     * to); the queues are destroyed when it ends, so nothing of it is left on the cluster.
     */
    void abandonByPool() {
        abandoned = true;
    }

    /** The exit code a pool sees for a worker its member abandoned (the member lost the pool's client). */
    static final int ABANDONED = -1;


    @Override
    public void run() {
        IQueue<byte[]> tasks = hz.getQueue(taskName);
        IQueue<byte[]> answers = hz.getQueue(answerName);
        boolean answerExit = false;
        try {
            ClassLoader ccl = Thread.currentThread().getContextClassLoader();
            TaskRunner runner = new TaskRunner(start.serializer(), ccl != null ? ccl : MemberWorker.class.getClassLoader());
            if (start.initializer().length > 0) {
                // NOTE: the pool waits for this worker's first frame within its start timeout; the initializer
                // may take longer (locally the timeout bounds only the JVM's start), so the start is told first
                answer(answers, new byte[] {Protocol.STARTED});
            }
            answer(answers, Protocol.wrap(Protocol.ANSWER, runner.initialize(start.initializer())));
            int done = 0;
            long idleSince = System.nanoTime();
            while (!abandoned && (start.maxTasks() <= 0 || done < start.maxTasks())) {
                byte[] frame = Queues.poll(tasks, TimeUnit.MILLISECONDS.toNanos(POLL_MS)); // not a frame: FOREIGN, logged
                if (frame == null) {
                    // NOTE: the client-left event may have come before this worker was registered.
                    if (System.nanoTime() - idleSince > IDLE_CHECK_NANOS && clientGone.getAsBoolean()) {
                        abandon();
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                if (frame == Queues.FOREIGN) {
                    continue; // not a frame (put by someone without the authkey): dropped, logged by Queues.poll
                }
                byte[] body = frames.open(taskName, taskSeq + 1, frame);
                if (body == null || body.length < 1) {
                    WorkerLog.warn("dropped a frame of " + frame.length + " bytes on " + taskName + ": "
                            + frames.whyRefused(taskName, taskSeq + 1, frame) + "; nothing of it was read");
                    continue;
                }
                if (Frames.seq(frame) != taskSeq + 1) {
                    WorkerLog.warn("frames " + (taskSeq + 1) + ".." + (Frames.seq(frame) - 1) + " on " + taskName + " never arrived");
                }
                taskSeq = Frames.seq(frame);
                if (body[0] == Protocol.STOP) {
                    answerExit = body.length > 1 && body[1] == 0;
                    return;
                }
                if (body[0] != Protocol.TASK) {
                    WorkerLog.warn("dropped a signed frame of unknown kind " + body[0] + " on " + taskName);
                    continue;
                }
                byte[] answer = runner.run(Protocol.unwrap(body));
                done++;
                if (!abandoned) {
                    answer(answers, Protocol.wrap(Protocol.ANSWER, answer));
                } else if (tellPool) {
                    answerOnce(answers, Protocol.wrap(Protocol.ANSWER, answer));
                }
            }
            answerExit = !abandoned;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | LinkageError e) {
            WorkerLog.warn("worker " + start.linkId() + " failed: " + e);
            answerExit = !abandoned;
        } finally {
            try {
                if (answerExit && !abandoned) {
                    answer(answers, Protocol.exit(0));
                } else if (tellPool) {
                    answerOnce(answers, Protocol.exit(ABANDONED));
                    later.accept(() -> {
                        try {
                            answers.destroy();
                        } catch (RuntimeException memberGone) {
                            // shutting down
                        }
                    });
                } else {
                    answers.destroy();
                }
                tasks.destroy();
                if (abandoned) {
                    // NOTE: a send (or a poll of the answers) of the pool still in flight when a queue was destroyed
                    // recreates it (a Hazelcast queue comes back on first use): destroy them again once those are over.
                    later.accept(() -> {
                        try {
                            tasks.destroy();
                            if (!tellPool) {
                                answers.destroy();
                            }
                        } catch (RuntimeException memberGone) {
                            // shutting down
                        }
                    });
                }
            } catch (RuntimeException clusterGone) {
                // the member is shutting down
            }
            onEnd.run();
        }
    }

    private void answerOnce(IQueue<byte[]> answers, byte[] body) {
        Queues.add(answers, frames.seal(answerName, ++answerSeq, body), () -> true, 1);
    }

    private void answer(IQueue<byte[]> answers, byte[] body) {
        // NOTE: retried until it is stored or the pool's client has left: a lost answer would leave the pool waiting.
        if (!Queues.add(answers, frames.seal(answerName, ++answerSeq, body),
                () -> abandoned || !hz.getLifecycleService().isRunning() || clientGone.getAsBoolean(), 0)) {
            abandoned = true;
        }
    }
}
