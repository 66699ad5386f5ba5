package org.multiprocessing4j.bench.jmh;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.internal.wire.JdkSerializer;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode through {@link ObjectCodec} (with the default {@link JdkSerializer} behind it) of what
 * the pool sends most: one small capturing task lambda per {@code applyAsync}, and chunks of
 * {@value #CHUNK} {@code Integer}s for {@code map}. Each benchmark method is one full round trip in one
 * thread: {@code encode} to a fresh byte array, then {@code decode} of it with this class's loader.
 * <ul>
 * <li>{@code capturingLambda}: {@code (SerializableCallable<Long>) () -> (long) i * i} capturing an
 *     {@code int} (a new lambda per call, as {@code applyAsync(() -> square(i))} makes one per task);
 * <li>{@code integerList125k}: an {@code ArrayList<Integer>} of {@value #CHUNK} elements {@code 0..CHUNK-1}
 *     (all but the first 128 are distinct {@code Integer} objects after decoding, as in a real chunk).
 * </ul>
 * The decoded value is returned to JMH (so it is consumed); its correctness is the unit tests' business.
 *
 * <p>Run from the repository root (short settings for a shared 2-vCPU machine):
 * <pre>
 * ./mvnw -q -Pjmh -DskipTests package -Djmh.args="ObjectCodecBench -f 1 -wi 3 -i 3"
 * </pre>
 * {@code CODECS.md} ("ObjectCodec fast paths") has the figures.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ObjectCodecBench {
    static final int CHUNK = 125_000;

    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());
    private final ClassLoader loader = ObjectCodecBench.class.getClassLoader();
    private List<Integer> chunk;
    private int next;

    @Setup
    public void makeChunk() {
        chunk = new ArrayList<>(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            chunk.add(i);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object capturingLambda() throws IOException, ClassNotFoundException {
        int i = next++;
        SerializableCallable<Long> task = () -> (long) i * i;
        return codec.decode(codec.encode(task, "a task"), loader);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object integerList125k() throws IOException, ClassNotFoundException {
        return codec.decode(codec.encode(chunk, "a chunk"), loader);
    }
}
