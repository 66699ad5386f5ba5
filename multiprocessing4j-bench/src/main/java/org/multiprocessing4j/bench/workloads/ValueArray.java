package org.multiprocessing4j.bench.workloads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Array;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.DoubleArray;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code value_array} of {@code shared/bench/python/README.md}: a shared array of n doubles, n = 1,000,000
 * (100,000), created before the child JVM starts. In repetition r (0 = warm-up) the child signals ready over a
 * {@link Pipe}; the parent starts the clock and sends "go"; the child writes element i as {@code i + r} and
 * replies "done"; the parent sums every element, stops the clock and checks the sum against n(n−1)/2 + r·n.
 * MB/s = 8n / 10^6 / time; each variant prints {@code /MBps} and {@code /time} (ms) lines.
 * <ul>
 * <li>{@code rawarray_elementwise}: {@link Array#rawDoubles(int)}; the child {@code set(i, ..)} one element at
 *     a time, the parent {@code get(i)} one at a time (each a volatile access, bounds-checked);
 * <li>{@code synchronized_slice}: {@link Array#ofDoubles(int)} (with its lock); the child builds the
 *     {@code double[]} before signalling ready and does one {@link DoubleArray#copyFrom(double[])}, the parent
 *     sums {@link DoubleArray#toArray()} (both copies under the array's lock, as CPython's {@code arr[:]}).
 * </ul>
 * Run: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only value_array"}.
 */
public final class ValueArray implements Workload {
    private static final byte[] READY = {'r'};
    private static final byte[] GO = {'g'};
    private static final byte[] DONE = {'d'};

    @Override
    public String name() {
        return "value_array";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(1_000_000, 100_000);
        variant(ctx, "rawarray_elementwise", n, false);
        variant(ctx, "synchronized_slice", n, true);
    }

    private void variant(BenchContext ctx, String variant, int n, boolean slice) throws Exception {
        int warmups = Repeat.warmups();
        int rounds = warmups + Repeat.REPS;
        try (DoubleArray arr = slice ? Array.ofDoubles(n) : Array.rawDoubles(n); Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            Process child = new Process("array-writer", () -> writer(arr, b, n, slice, rounds));
            child.start();
            try {
                List<Double> rates = new ArrayList<>();
                List<Double> millis = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    a.recvBytes();
                    long t0 = System.nanoTime();
                    a.sendBytes(GO);
                    a.recvBytes();
                    double s = slice ? sum(arr.toArray()) : sumElementwise(arr, n);
                    long t1 = System.nanoTime();
                    double expected = (double) n * (n - 1) / 2 + (double) r * n;
                    if (s != expected) {
                        throw new IllegalStateException("round " + r + ": summed " + s + ", expected " + expected);
                    }
                    if (r >= warmups) {
                        double dt = (t1 - t0) / 1e9;
                        millis.add(dt * 1e3);
                        rates.add(n * 8 / 1e6 / dt);
                    }
                }
                child.join(Duration.ofSeconds(30));
                if (child.exitCode() == null || child.exitCode() != 0) {
                    throw new IllegalStateException(child + " ended with exit code " + child.exitCode());
                }
                Map<String, Object> params = Result.params("typecode", "d", "length", n, "lock", slice,
                        "mode", slice ? "slice" : "elementwise");
                ctx.emit(Result.of(name(), variant + "/MBps", Stats.of(rates), "MB/s", params));
                ctx.emit(Result.of(name(), variant + "/time", Stats.of(millis), "ms", params));
            } finally {
                if (child.isAlive()) {
                    child.kill();
                    child.join();
                }
            }
        }
    }

    private static double sumElementwise(DoubleArray arr, int n) {
        double s = 0.0;
        for (int i = 0; i < n; i++) {
            s += arr.get(i);
        }
        return s;
    }

    private static double sum(double[] values) {
        double s = 0.0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    private static void writer(DoubleArray arr, Connection conn, int n, boolean slice, int rounds) {
        try {
            for (int r = 0; r < rounds; r++) {
                double[] data = null;
                if (slice) {
                    data = new double[n];
                    for (int i = 0; i < n; i++) {
                        data[i] = i + r;
                    }
                }
                conn.sendBytes(READY);
                conn.recvBytes();
                if (slice) {
                    arr.copyFrom(data);
                } else {
                    for (int i = 0; i < n; i++) {
                        arr.set(i, i + r);
                    }
                }
                conn.sendBytes(DONE);
            }
        } catch (Exception e) {
            throw new IllegalStateException("array writer failed", e);
        }
    }
}
