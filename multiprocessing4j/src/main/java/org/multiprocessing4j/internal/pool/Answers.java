package org.multiprocessing4j.internal.pool;

import java.util.Arrays;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * Decodes workers' answers in the pool's JVM: a task's result, or its exception marked with the worker
 * that raised it ({@link WorkerOrigin}). An answer that cannot be decoded becomes a {@link ProcessError}
 * naming the worker, the outcome of that task only. Thread-safe (relays decode concurrently).
 */
final class Answers {
    /** What one answer says: a value, or an error (then {@code value} is null). */
    record Outcome(Object value, Throwable error) {
    }

    private final ObjectCodec codec;
    private final ThrowableCodec throwables;
    private final ClassLoader loader;

    Answers(ObjectCodec codec, ClassLoader loader) {
        this.codec = codec;
        this.throwables = new ThrowableCodec(codec);
        this.loader = loader;
    }

    /**
     * The outcome of the OK or FAILED answer {@code answer[0, answerLength)} from {@code worker} to {@code task};
     * a chunk of results comes packed if the task's job reads it so ({@link TaskSink#packedResults()}). The
     * outcome never refers to {@code answer}, which the caller may reuse.
     */
    Outcome decode(byte[] answer, int answerLength, Worker worker, Task task) {
        if (answer[0] != TaskMessages.OK) {
            return new Outcome(null, exception(answer, answerLength, worker));
        }
        try {
            int length = answerLength - TaskMessages.HEADER;
            return new Outcome(task.sink.packedResults()
                    ? codec.decodePacked(answer, TaskMessages.HEADER, length, loader)
                    : codec.decode(answer, TaskMessages.HEADER, length, loader), null);
        } catch (Throwable e) {
            // NOTE: Errors too (a result class whose static initializer fails here, NoClassDefFoundError, a deep or
            // huge result's StackOverflowError/OutOfMemoryError): the relay has taken this task out of its worker,
            // so whatever escapes here would leave it unsettled forever
            return new Outcome(null, new ProcessError("cannot decode the result of a task answered by " + worker + ": " + e, e));
        }
    }

    /** The exception carried by the FAILED or INIT_FAILED answer {@code answer[0, answerLength)} from {@code worker}. */
    Throwable exception(byte[] answer, int answerLength, Worker worker) {
        byte[] body = Arrays.copyOfRange(answer, TaskMessages.HEADER, answerLength);
        Throwable t;
        try {
            t = throwables.decode(body, loader);
        } catch (Throwable e) {
            return new ProcessError("cannot decode the exception raised by a task in " + worker + ": " + e, e);
        }
        return WorkerOrigin.mark(t, worker.link.name(), worker.link.pid());
    }
}
