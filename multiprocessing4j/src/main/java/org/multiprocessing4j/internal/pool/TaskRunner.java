package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * What a pool worker does with its messages, for a worker that is not a {@link WorkerLoop} on a pipe (a
 * cluster member's worker thread): runs the initializer, then turns each task message into its answer
 * message, in the format of {@link TaskMessages}. As in {@link WorkerLoop}, an {@link OutOfMemoryError}
 * halts the JVM with status 3. One instance per worker; not thread-safe.
 */
public final class TaskRunner {
    private static final int FUNCTIONS_KEPT = 8;

    private final ObjectCodec codec;
    private final ThrowableCodec throwables;
    private final ClassLoader loader;
    private final Map<Long, Object> functions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
            return size() > FUNCTIONS_KEPT;
        }
    };

    /** A runner decoding with the serializer class named {@code serializer}, loading classes with {@code loader}. */
    public TaskRunner(String serializer, ClassLoader loader) {
        this.codec = DefaultCodec.of(serializer);
        this.throwables = new ThrowableCodec(codec);
        this.loader = loader;
    }

    /** The bytes a launcher sends for {@code initializer} (null: none), encoded with {@code serializer}. */
    public static byte[] encodeInitializer(String serializer, SerializableRunnable initializer) {
        return initializer == null ? new byte[0] : DefaultCodec.of(serializer).encode(initializer, "the pool's initializer");
    }

    /**
     * Decodes and runs the initializer of {@link #encodeInitializer} (empty: none); returns the worker's
     * first message: READY, or INIT_FAILED with the exception (a class missing here included).
     */
    public byte[] initialize(byte[] initializer) {
        if (initializer.length > 0) {
            try {
                ((SerializableRunnable) codec.decode(initializer, loader)).run();
            } catch (OutOfMemoryError e) {
                Runtime.getRuntime().halt(WorkerLoop.OUT_OF_MEMORY_STATUS);
            } catch (Throwable t) {
                return TaskMessages.message(TaskMessages.INIT_FAILED, TaskMessages.NO_TASK, throwables.encode(t));
            }
        }
        return TaskMessages.message(TaskMessages.READY, TaskMessages.NO_TASK, new byte[0]);
    }

    /**
     * Runs one task message and returns its answer message (OK, or FAILED with the task's exception).
     *
     * @throws IOException if the message is malformed
     */
    public byte[] run(byte[] task) throws IOException {
        if (task.length < TaskMessages.HEADER) {
            throw new IOException("pool task of " + task.length + " bytes is shorter than its header");
        }
        return WorkerLoop.answer(task, task.length, TaskMessages.slot(task), codec, throwables, loader, functions);
    }
}
