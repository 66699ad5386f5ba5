package org.multiprocessing4j.bench.workloads;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Percentiles;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code pipe_pingpong} of {@code shared/bench/python/README.md}: a duplex {@link Pipe}, a child that
 * echoes every message until the stop message, and the parent timing {@code send; recv} round trips with
 * one chained {@link System#nanoTime()} read per iteration. Variants {@code send_bytes_8B}
 * ({@code sendBytes}/{@code recvBytes} of 8 bytes, N = 100,000 (3,000)) and {@code send_recv_int}
 * ({@code send}/{@code recv} of an int, N = 20,000 (3,000)); warm-up max(1000, N/10) round trips. The
 * pinned variants are not run. Run: {@code ./mvnw -q -Pbench -DskipTests package
 * -Dbench.args="--cpython --only pipe_pingpong"}.
 */
public final class PipePingpong implements Workload {
    private static final byte[] MESSAGE = "12345678".getBytes();

    private record Rep(double mean, double p50, double p99) {
    }

    @Override
    public String name() {
        return "pipe_pingpong";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        variant(ctx, "send_bytes_8B", false, ctx.size(100_000, 3_000));
        variant(ctx, "send_recv_int", true, ctx.size(20_000, 3_000));
    }

    private void variant(BenchContext ctx, String variant, boolean objects, int n) throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            Process echo = new Process("echo", objects ? () -> echoObjects(b) : () -> echoBytes(b));
            echo.start();
            long[] samples = new long[n];
            List<Rep> reps = Repeat.measured(n, Math.max(1000, n / 10), size -> once(a, objects, samples, size));
            if (objects) {
                a.send(null);
            } else {
                a.sendBytes(new byte[0]);
            }
            echo.join(Duration.ofSeconds(30));
            if (echo.isAlive()) {
                echo.kill();
                echo.join();
            }
            Map<String, Object> params = Result.params("round_trips_per_rep", n,
                    "message", objects ? "12345678" : "b'12345678'", "duplex", true, "pinning", null,
                    "transport", "shared-memory rings (" + (Pipe.RING_CAPACITY >> 20) + " MiB per direction), spin then futex");
            ctx.emit(Result.of(name(), variant + "/mean", Stats.of(reps.stream().map(Rep::mean).toList()), "us", params));
            ctx.emit(Result.of(name(), variant + "/p50", Stats.of(reps.stream().map(Rep::p50).toList()), "us", params));
            ctx.emit(Result.of(name(), variant + "/p99", Stats.of(reps.stream().map(Rep::p99).toList()), "us", params));
        }
    }

    private static Rep once(Connection a, boolean objects, long[] samples, int n) throws Exception {
        long start = System.nanoTime();
        long prev = start;
        for (int i = 0; i < n; i++) {
            if (objects) {
                a.send(12345678);
                a.recv();
            } else {
                a.sendBytes(MESSAGE);
                a.recvBytes();
            }
            long now = System.nanoTime();
            samples[i] = now - prev;
            prev = now;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return new Rep((prev - start) / (double) n / 1e3, Percentiles.nearestRank(sorted, 50) / 1e3,
                Percentiles.nearestRank(sorted, 99) / 1e3);
    }

    private static void echoBytes(Connection b) {
        try {
            byte[] m;
            while ((m = b.recvBytes()).length > 0) {
                b.sendBytes(m);
            }
        } catch (Exception e) {
            throw new IllegalStateException("echo failed", e);
        }
    }

    private static void echoObjects(Connection b) {
        try {
            Object m;
            while ((m = b.recv()) != null) {
                b.send(m);
            }
        } catch (Exception e) {
            throw new IllegalStateException("echo failed", e);
        }
    }
}
