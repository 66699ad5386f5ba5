package org.multiprocessing4j.bench.workloads;

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
 * (count 2048 (64)) and {@code 64B} (count 300,000 (50,000)); warm-up count/10. Run:
 * {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pipe_throughput"}.
 */
public final class PipeThroughput implements Workload {

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
                "transport", "shared-memory rings (1 MiB per direction), spin then futex");
        ctx.emit(Result.of(name(), variant + "/MBps",
                Stats.of(seconds.stream().map(t -> (double) count * size / 1e6 / t).toList()), "MB/s", params));
        ctx.emit(Result.of(name(), variant + "/msgs", Stats.of(seconds.stream().map(t -> count / t).toList()), "msgs/s", params));
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
