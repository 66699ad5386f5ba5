package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.multiprocessing4j.Connection;

/**
 * A worker's answers waiting to go to the pool together, in one pipe message: the pool's relay then wakes
 * once for several short tasks. Format (one message): {@code BATCH(1) | count(4) | (length(4) | answer)*},
 * each answer as {@link TaskMessages} describes; a batch of one goes as the plain answer. Thread-safe (the
 * worker's loop fills it; a shutdown hook or the out-of-memory path may flush it).
 */
final class AnswerBatch {
    /** Most answers in one message. */
    static final int MAX = 4;

    private final Connection pipe;
    private final List<byte[]> answers = new ArrayList<>(MAX);

    AnswerBatch(Connection pipe) {
        this.pipe = pipe;
    }

    synchronized boolean isEmpty() {
        return answers.isEmpty();
    }

    synchronized boolean full() {
        return answers.size() >= MAX;
    }

    synchronized void add(byte[] answer) {
        answers.add(answer);
    }

    /** Sends what is waiting, if anything. */
    synchronized void flush() throws IOException {
        if (answers.isEmpty()) {
            return;
        }
        if (answers.size() == 1) {
            pipe.sendBytes(answers.getFirst());
        } else {
            int size = 5;
            for (byte[] a : answers) {
                size += 4 + a.length;
            }
            byte[] out = new byte[size];
            out[0] = TaskMessages.BATCH;
            TaskMessages.putInt(out, 1, answers.size());
            int at = 5;
            for (byte[] a : answers) {
                TaskMessages.putInt(out, at, a.length);
                System.arraycopy(a, 0, out, at + 4, a.length);
                at += 4 + a.length;
            }
            pipe.sendBytes(out);
        }
        answers.clear();
    }

    /** As {@link #flush()}, for last-moment paths (exit hook, out of memory): failures are ignored. */
    void flushQuietly() {
        try {
            flush();
        } catch (IOException | RuntimeException | Error ignored) {
            // the pool sees this worker's death; a held answer's task then fails with WorkerDiedException
        }
    }

    /** The answers in a BATCH message. */
    static List<byte[]> split(byte[] batch) throws IOException {
        if (batch.length < 5) {
            throw new IOException("answer batch of " + batch.length + " bytes is shorter than its header");
        }
        int count = TaskMessages.getInt(batch, 1);
        if (count < 0 || count > MAX) {
            throw new IOException("answer batch claims " + count + " answers (at most " + MAX + ")");
        }
        List<byte[]> out = new ArrayList<>(count);
        int at = 5;
        for (int i = 0; i < count; i++) {
            if (at + 4 > batch.length) {
                throw new IOException("answer batch ends inside answer " + i);
            }
            int length = TaskMessages.getInt(batch, at);
            if (length < TaskMessages.HEADER || at + 4 + (long) length > batch.length) {
                throw new IOException("answer " + i + " of a batch has a bad length " + length);
            }
            out.add(java.util.Arrays.copyOfRange(batch, at + 4, at + 4 + length));
            at += 4 + length;
        }
        return out;
    }
}
