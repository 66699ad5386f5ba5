package org.multiprocessing4j.internal.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.SerializableFunction;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.ring.MessageBuffer;
import org.multiprocessing4j.internal.ring.SpscReader;
import org.multiprocessing4j.internal.ring.SpscRing;
import org.multiprocessing4j.internal.ring.SpscWriter;
import org.multiprocessing4j.internal.wire.EncodedMessage;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * Passes pool tasks through a worker's code inside this JVM, a few thousand times: for the child JVM that
 * trains the AOT cache, so that the cache holds the classes of a pool worker's path and, with JDK 25's
 * method profiles (JEP 515), their profiles, and a fresh worker compiles its hot loop sooner instead of
 * spending its first thousands of tasks in the interpreter while the JIT learns them. Map chunks and single
 * calls, small and (a few) MiB-sized, each encoded as the pool encodes it, written to a ring, read into a
 * reused buffer, answered ({@link WorkerLoop#answer}) and the answer decoded. Best effort: failures are
 * ignored; the ring file is unlinked at once.
 */
public final class PoolTraining {
    static final int TASKS = 2_500;

    private PoolTraining() {
    }

    /**
     * Runs the exercise (about a second in a fresh JVM); returns how many tasks came back
     * with the right result (all of them, {@value #TASKS}, unless something failed).
     */
    public static int exercise() {
        try (SpscRing ring = SpscRing.create(1 << 20)) {
            ring.unlink();
            return run(ring.writer(), ring.reader());
        } catch (Exception | Error bestEffort) {
            return 0; // training only
        }
    }

    private static int run(SpscWriter writer, SpscReader reader) throws Exception {
        ObjectCodec codec = DefaultCodec.get();
        ThrowableCodec throwables = new ThrowableCodec(codec);
        ClassLoader loader = PoolTraining.class.getClassLoader();
        Map<Long, Object> functions = new LinkedHashMap<>();
        SerializableFunction<Number, Long> square = x -> x.longValue() * x.longValue();
        byte[] function = codec.encode(square, "a training function");
        MessageBuffer received = new MessageBuffer();
        byte[] block = new byte[1 << 18];
        int right = 0;
        for (int i = 0; i < TASKS; i++) {
            EncodedMessage task;
            if (i % 2 == 0) {
                List<Object> chunk = new ArrayList<>(1);
                chunk.add(i);
                task = codec.encodeMessage(TaskMessages.mapHead(TaskMessages.MAP, i, 1, function.length), function, chunk, "a training chunk");
            } else if (i % 500 == 1) {
                SerializableCallable<Long> call = () -> (long) block.length; // a large argument: referenced, then streamed
                task = codec.encodeMessage(TaskMessages.header(TaskMessages.CALL, i, i % 8), call, "a training call");
            } else {
                int x = i;
                SerializableCallable<Long> call = () -> (long) x * x;
                task = codec.encodeMessage(TaskMessages.header(TaskMessages.CALL, i, i % 8), call, "a training call");
            }
            writer.write(task);
            reader.readInto(received);
            byte[] answer = WorkerLoop.answer(received.array(), received.length(), TaskMessages.slot(received.array()),
                    codec, throwables, loader, functions);
            writer.write(answer, 0, answer.length);
            byte[] back = reader.read(Duration.ofSeconds(1));
            if (back != null && back[0] == TaskMessages.OK) {
                Object value = codec.decode(back, TaskMessages.HEADER, back.length - TaskMessages.HEADER, loader);
                long expected = i % 500 == 1 ? block.length : (long) i * i;
                if (value.equals(i % 2 == 0 ? List.of(expected) : expected)) {
                    right++;
                }
            }
        }
        return right;
    }
}
