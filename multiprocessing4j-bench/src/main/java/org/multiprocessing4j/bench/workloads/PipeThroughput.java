package org.multiprocessing4j.bench.workloads;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code pipe_throughput} of {@code shared/bench/python/README.md}: the same duplex {@link Pipe}, a child
 * sink. Per repetition the parent sends the message count with {@code send} (untimed), then times
 * {@code count} × {@code sendBytes(block)} and waiting for the child's reply, the total bytes it received
 * (checked). The child uses {@code recvBytes()} (a new array per message). Variants {@code 1MiB}
 * (count 2048 (64)) and {@code 64B} (count 300,000 (50,000)); warm-up count/10.
 *
 * <p>JVM-only, labelled {@code jvm-floor/1MiB/MBps} (compared with CPython's {@code 1MiB/MBps}): no pipe and no
 * other process, only what every {@code recvBytes()} must do on the receiving side at the least: make a new
 * 1 MiB array and copy the message into it from off-heap memory (where a ring's bytes are), {@code count}
 * times, in this JVM. Its ratio estimates the ceiling of the {@code 1MiB} line's: a transport cannot make the
 * receiver do less. The estimate moves with the heap's state (new heap pages cost page faults until the
 * young generation has been used once), so the real pipe's receiving JVM may do a little better or worse.
 * Run:
 * {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pipe_throughput"}.
 */
public final class PipeThroughput implements Workload {
    /** The prefix of the JVM-only line that measures the receiving side's least work. */
    static final String FLOOR = "jvm-floor/";
    /** The last array of {@link #floor}: kept so that it escapes. */
    private static volatile byte[] last;

    @Override
    public String name() {
        return "pipe_throughput";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            Process sink = new Process("sink", () -> sink(b));
            sink.start();
            try {
                variant(ctx, a, "1MiB", 1 << 20, ctx.size(2048, 64));
                variant(ctx, a, "64B", 64, ctx.size(300_000, 50_000));
                floor(ctx, 1 << 20, ctx.size(2048, 64));
                a.send(null);
                sink.join(Duration.ofSeconds(30));
            } finally {
                if (sink.isAlive()) {
                    sink.kill();
                    sink.join();
                }
            }
        }
    }

    private void variant(BenchContext ctx, Connection a, String variant, int size, int count) throws Exception {
        byte[] block = new byte[size];
        for (int i = 0; i < size; i++) {
            block[i] = (byte) i;
        }
        List<Double> seconds = Repeat.measured(count, Math.max(1, count / 10), n -> {
            a.send(n); // batch header, untimed
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                a.sendBytes(block);
            }
            long total = ((Number) a.recv()).longValue();
            long t1 = System.nanoTime();
            if (total != (long) n * size) {
                throw new IllegalStateException("sink received " + total + " bytes, expected " + (long) n * size);
            }
            return (t1 - t0) / 1e9;
        });
        Map<String, Object> params = Result.params("message_bytes", size, "messages_per_rep", count, "duplex", true,
                "transport", "shared-memory rings (" + (Pipe.RING_CAPACITY >> 20) + " MiB per direction), spin then futex");
        ctx.emit(Result.of(name(), variant + "/MBps",
                Stats.of(seconds.stream().map(t -> (double) count * size / 1e6 / t).toList()), "MB/s", params));
        ctx.emit(Result.of(name(), variant + "/msgs", Stats.of(seconds.stream().map(t -> count / t).toList()), "msgs/s", params));
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Map.of(FLOOR + "1MiB/MBps", List.of("1MiB/MBps"));
    }

    /** The receiving side's least work per message: a new array, and one copy into it from off-heap memory. */
    private void floor(BenchContext ctx, int size, int count) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment message = arena.allocate(size, 64);
            for (int i = 0; i < size; i++) {
                message.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            List<Double> seconds = Repeat.measured(count, Math.max(1, count / 10), n -> {
                long t0 = System.nanoTime();
                long total = 0;
                for (int i = 0; i < n; i++) {
                    byte[] received = new byte[size];
                    MemorySegment.copy(message, ValueLayout.JAVA_BYTE, 0, received, 0, size);
                    total += received[i & (size - 1)] == (byte) i ? received.length : 0;
                    last = received; // NOTE: escapes, so the JIT cannot drop the array or the copy
                }
                long t1 = System.nanoTime();
                if (total != (long) n * size) {
                    throw new IllegalStateException("copied " + total + " bytes, expected " + (long) n * size);
                }
                return (t1 - t0) / 1e9;
            });
            last = null;
            ctx.emit(Result.of(name(), FLOOR + "1MiB/MBps",
                    Stats.of(seconds.stream().map(t -> (double) count * size / 1e6 / t).toList()), "MB/s",
                    Result.params("message_bytes", size, "messages_per_rep", count,
                            "mode", "in this JVM: new byte[] + one copy from off-heap memory per message, no pipe")));
        }
    }

    private static void sink(Connection b) {
        try {
            Object header;
            while ((header = b.recv()) != null) {
                int n = ((Number) header).intValue();
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += b.recvBytes().length;
                }
                b.send(total);
            }
        } catch (Exception e) {
            throw new IllegalStateException("sink failed", e);
        }
    }
}
