package org.multiprocessing4j.bench.workloads;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Array;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.DoubleArray;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.RLock;
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
 *     sums {@link DoubleArray#toArray()} (both copies under the array's lock, as CPython's {@code arr[:]});
 * <li>{@code jvm-segment/synchronized_slice} (JVM-only, labelled, compared with CPython's
 *     {@code synchronized_slice}): the child as above, the parent sums over {@link Array#segment()} holding
 *     {@link DoubleArray#getLock()}, without copying the 8n bytes into a new {@code double[]} first.
 * </ul>
 * Run: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only value_array"}.
 */
public final class ValueArray implements Workload {
    /** The prefix of the JVM-only variant that sums in place, without CPython's {@code arr[:]} copy. */
    static final String SEGMENT = "jvm-segment/";
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
        variant(ctx, "rawarray_elementwise", n, false, false);
        variant(ctx, "synchronized_slice", n, true, false);
        variant(ctx, SEGMENT + "synchronized_slice", n, true, true);
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Map.of(SEGMENT + "synchronized_slice/MBps", List.of("synchronized_slice/MBps"),
                SEGMENT + "synchronized_slice/time", List.of("synchronized_slice/time"));
    }

    private void variant(BenchContext ctx, String variant, int n, boolean slice, boolean inPlace) throws Exception {
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
                    double s = inPlace ? sumInPlace(arr) : slice ? sum(arr.toArray()) : sumElementwise(arr, n);
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
                        "mode", inPlace ? "slice in, sum over segment() under the lock" : slice ? "slice" : "elementwise");
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

    /** The sum over {@link Array#segment()} under the array's lock: no copy (plain reads, ordered by the lock). */
    private static double sumInPlace(DoubleArray arr) throws InterruptedException {
        RLock lock = arr.getLock();
        lock.acquire();
        try {
            MemorySegment seg = arr.segment();
            long count = seg.byteSize() / Double.BYTES;
            double s = 0.0;
            for (long i = 0; i < count; i++) {
                s += seg.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            }
            return s;
        } finally {
            lock.release();
        }
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
