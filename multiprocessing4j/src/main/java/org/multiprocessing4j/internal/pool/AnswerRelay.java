package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.ring.MessageBuffer;

/**
 * The loop of a worker's relay thread ({@link #run}): takes the worker's answers from its pipe, refills the
 * worker, then decodes each answer and settles its task, until the pipe ends. One instance serves every
 * relay of a {@link PoolEngine}; each relay thread calls {@link #run} for its own worker.
 */
/*
 * Implementation notes
 *
 * A relay refills its worker *before* it decodes and delivers the answers it took (see Dispatcher), so the
 * worker has its next tasks while the relay decodes. When the pipe ends (EOF: the worker's JVM is gone), run
 * returns and the relay thread goes on to WorkerSupervisor.workerLost (see there).
 */
final class AnswerRelay {
    /** Answers a relay takes from its worker's pipe at once, at most. */
    private static final int RELAY_BATCH = 16;

    private final PoolState pool;
    private final Answers answers;
    private final Dispatcher dispatcher;
    private final PoolShutdown shutdown;

    AnswerRelay(PoolState pool, Answers answers, Dispatcher dispatcher, PoolShutdown shutdown) {
        this.pool = pool;
        this.answers = answers;
        this.dispatcher = dispatcher;
        this.shutdown = shutdown;
    }

    /**
     * Answers in, next tasks out, until {@code worker} is gone: returns when its pipe ended, its initializer
     * failed (the pool is then broken) or the relay itself failed (the worker is then killed).
     */
    void run(Worker worker) {
        // NOTE: the first answer of each batch, the one the relay waited for (a chunk's results, often MiBs),
        // is read into one reused buffer, so a large result does not land in new heap memory each time; it is
        // decoded (copied out) before the next blocking receive. The answers already waiting come as new arrays.
        MessageBuffer waited = new MessageBuffer();
        byte[][] batch = new byte[RELAY_BATCH][];
        int[] lengths = new int[RELAY_BATCH];
        try {
            while (true) {
                try {
                    worker.link.receiveInto(waited);
                } catch (IOException | InterruptedException e) {
                    break;
                }
                byte[] answer = waited.array();
                int length = waited.length();
                // NOTE: answers already in the pipe are taken with it: one lock section and one refill for all
                // (a worker of short tasks answers faster than a relay handles answers one by one).
                int count = 0;
                while (answer != null && !(length > 0 && answer[0] == TaskMessages.INIT_FAILED)) {
                    batch[count] = answer;
                    lengths[count++] = length;
                    answer = count < RELAY_BATCH ? receiveNow(worker) : null;
                    length = answer == null ? 0 : answer.length;
                }
                if (count > 0) {
                    onMessages(worker, batch, lengths, count);
                    Arrays.fill(batch, 0, count, null);
                }
                if (answer != null) {
                    shutdown.breakPool("the initializer of " + pool.name + " raised an exception in " + worker,
                            answers.exception(answer, length, worker));
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

    /** The {@code count} answers {@code answers[i][0, lengths[i])} from a worker, in the order it sent them. */
    private void onMessages(Worker worker, byte[][] answers, int[] lengths, int count) throws IOException {
        Task[] tasks = new Task[count];
        int next = 0; // tasks before it were delivered
        try {
            List<Task> toSend;
            synchronized (pool.lock) {
                for (int i = 0; i < count; i++) {
                    tasks[i] = takeAnsweredLocked(worker, answers[i], lengths[i]);
                }
                toSend = dispatcher.refillLocked(worker);
            }
            dispatcher.sendAll(worker, toSend);
            while (next < count) {
                Task task = tasks[next];
                if (task != null) {
                    deliver(worker, task, answers[next], lengths[next]);
                }
                // NOTE: counted once delivered: a delivery that threw leaves its task to the finally below too
                // (settling is once only, so one settled before the throw stays as it was)
                next++;
            }
        } finally {
            // NOTE: a task taken out of its worker above is in no worker's queue: if this relay fails now (and the
            // worker is killed), the worker's death cannot fail it, so it is failed here or it would never settle
            for (int i = next; i < count; i++) {
                if (tasks[i] != null) {
                    pool.settle(tasks[i], null, new ProcessError("the pool's relay of " + worker
                            + " failed before it delivered this task's answer; the worker is replaced"));
                }
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
    private Task takeAnsweredLocked(Worker worker, byte[] answer, int length) throws IOException {
        long id = TaskMessages.taskId(answer, length);
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
        for (Iterator<Task> it = worker.queued.iterator(); it.hasNext(); ) {
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
    private void deliver(Worker worker, Task task, byte[] answer, int length) {
        Answers.Outcome outcome = answers.decode(answer, length, worker, task);
        pool.settle(task, outcome.value(), outcome.error());
    }
}
