package org.multiprocessing4j.bench.rings;

import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.bench.Percentiles;
import org.multiprocessing4j.bench.env.CpuCounters;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.ring.SpscReader;
import org.multiprocessing4j.internal.ring.SpscRing;
import org.multiprocessing4j.internal.ring.SpscWriter;

/**
 * Three figures of {@link SpscRing} between this JVM and a child JVM, printed as plain lines:
 * <ol>
 * <li>round trip of an 8-byte message (this JVM writes, the child echoes it back on a second ring):
 *     {@value #PING_WARMUP} untimed, then {@value #PING_REPS} × {@value #PING_COUNT} timed one by one;
 *     median, p99 and mean per repetition, and this thread's CPU per round trip;
 * <li>64-byte messages one way (the child writes, this JVM reads) through a 1 MiB ring:
 *     {@value #FLOOD_WARMUP} untimed, then {@value #FLOOD_REPS} × {@value #FLOOD_COUNT} timed from the
 *     first message of the repetition to its last; messages/s per repetition;
 * <li>CPU used by a reader blocked for 5 s on an empty ring whose writer (the child) is alive and silent:
 *     this thread's CPU and this whole JVM's CPU over those 5 s;
 * <li>then, with the reader blocked again for {@value #BEFORE_KILL_MILLIS} ms (its futex slices at their
 *     longest), the time from SIGKILL of the writer to the reader's end-of-file.
 * </ol>
 * Each figure line also gives, over the same interval, the CPU that other processes used (machine busy
 * minus this process tree; 2 vCPUs = 200%), because the machine is shared, and the garbage collections
 * in this JVM (the reader allocates a {@code byte[]} per message). Run (from the repository root; see
 * RINGS.md):
 * <pre>
 * ./mvnw -B -q -o -pl multiprocessing4j-bench -am -DskipTests compile
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *   -cp multiprocessing4j-bench/target/classes:multiprocessing4j/target/classes \
 *   org.multiprocessing4j.bench.rings.RingFigures
 * </pre>
 */
public final class RingFigures {
    static final int PING_WARMUP = 100_000;
    static final int PING_REPS = 5;
    static final int PING_COUNT = 100_000;
    static final int FLOOD_WARMUP = 2_000_000;
    static final int FLOOD_REPS = 5;
    static final int FLOOD_COUNT = 10_000_000;
    static final int PING_RING = 64 * 1024;
    static final int FLOOD_RING = 1 << 20;
    static final Duration IDLE = Duration.ofSeconds(5);
    static final long BEFORE_KILL_MILLIS = 3000;

    private RingFigures() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Futex.link();
        System.out.printf(Locale.ROOT, "ffm first use (Futex.link in this JVM): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        pingPong();
        flood();
        idleReader();
    }

    private static void pingPong() throws Exception {
        try (SpscRing there = SpscRing.create(PING_RING); SpscRing back = SpscRing.create(PING_RING)) {
            String therePath = there.path().toString();
            String backPath = back.path().toString();
            SpscWriter out = there.writer();
            SpscReader in = back.reader();
            Process echo = new Process("echo", () -> echo(therePath, backPath));
            echo.start();
            byte[] ping = new byte[8];
            for (int i = 0; i < PING_WARMUP; i++) {
                out.write(ping, 0, 8);
                in.read();
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] samples = new long[PING_COUNT];
            for (int rep = 0; rep < PING_REPS; rep++) {
                Interval machine = Interval.now();
                long cpu = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < PING_COUNT; i++) {
                    long s = System.nanoTime();
                    out.write(ping, 0, 8);
                    in.read();
                    samples[i] = System.nanoTime() - s;
                }
                long elapsed = System.nanoTime() - start;
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                Arrays.sort(samples);
                System.out.printf(Locale.ROOT, "pingpong 8 B rep %d: median %.2f us, p99 %.2f us, mean %.2f us, "
                        + "this thread's CPU %.2f us per round trip; %s%n", rep,
                        samples[PING_COUNT / 2] / 1e3, Percentiles.nearestRank(samples, 99) / 1e3,
                        elapsed / 1e3 / PING_COUNT, cpu / 1e3 / PING_COUNT, busy(machine));
            }
            there.unlink();
            back.unlink();
            out.close();
            echo.join(Duration.ofSeconds(30));
        }
    }

    private static void flood() throws Exception {
        try (SpscRing ring = SpscRing.create(FLOOD_RING)) {
            String path = ring.path().toString();
            SpscReader in = ring.reader();
            Process writer = new Process("flood", () -> flood(path, FLOOD_WARMUP + FLOOD_REPS * FLOOD_COUNT));
            writer.start();
            for (int i = 0; i < FLOOD_WARMUP; i++) {
                in.read();
            }
            for (int rep = 0; rep < FLOOD_REPS; rep++) {
                Interval machine = Interval.now();
                long start = System.nanoTime();
                for (int i = 0; i < FLOOD_COUNT; i++) {
                    in.read();
                }
                long elapsed = System.nanoTime() - start;
                System.out.printf(Locale.ROOT, "one way 64 B rep %d: %.2f M messages/s (%.1f ns each); %s%n",
                        rep, FLOOD_COUNT / (elapsed / 1e9) / 1e6, (double) elapsed / FLOOD_COUNT, busy(machine));
            }
            ring.unlink();
            writer.join(Duration.ofSeconds(30));
        }
    }

    private static void idleReader() throws Exception {
        try (SpscRing ring = SpscRing.create(PING_RING)) {
            String path = ring.path().toString();
            SpscReader in = ring.reader();
            Process silent = new Process("silent", () -> attachAndSleep(path));
            silent.start();
            in.read(Duration.ofSeconds(30)); // the child says it has attached
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Interval machine = Interval.now();
            long jvmCpu = os.getProcessCpuTime();
            long cpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            byte[] m = in.read(IDLE);
            long elapsed = System.nanoTime() - start;
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            jvmCpu = os.getProcessCpuTime() - jvmCpu;
            System.out.printf(Locale.ROOT, "blocked reader over %.2f s (%s): reader thread CPU %.2f ms (%.4f%% of a core), "
                    + "whole JVM CPU %.2f ms; %s%n", elapsed / 1e9, m == null ? "timed out" : "got a message",
                    cpu / 1e6, 100.0 * cpu / elapsed, jvmCpu / 1e6, busy(machine));
            long[] killedAt = new long[1];
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(BEFORE_KILL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                killedAt[0] = System.nanoTime();
                silent.kill();
            });
            try {
                in.read(Duration.ofSeconds(30));
                System.out.println("the killed writer gave no EOF within 30 s");
            } catch (EOFException expected) {
                long eof = System.nanoTime();
                killer.join();
                System.out.printf(Locale.ROOT, "EOF %.1f ms after SIGKILL of the writer (reader blocked %d ms before)%n",
                        (eof - killedAt[0]) / 1e6, BEFORE_KILL_MILLIS);
            }
            ring.unlink();
            silent.join(Duration.ofSeconds(30));
        }
    }

    /** Child of the ping-pong: echoes every message until end-of-file. */
    static void echo(String therePath, String backPath) {
        try (SpscRing there = SpscRing.attach(Path.of(therePath)); SpscRing back = SpscRing.attach(Path.of(backPath))) {
            SpscReader in = there.reader();
            SpscWriter out = back.writer();
            for (;;) {
                byte[] m;
                try {
                    m = in.read();
                } catch (EOFException end) {
                    return;
                }
                out.write(m, 0, m.length);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child of the one-way figure: writes {@code count} 64-byte messages. */
    static void flood(String path, int count) {
        try (SpscRing ring = SpscRing.attach(Path.of(path))) {
            SpscWriter out = ring.writer();
            byte[] m = new byte[64];
            for (int i = 0; i < count; i++) {
                m[0] = (byte) i;
                out.write(m, 0, 64);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child of the idle figure: attaches as the writer, says so, then stays silent until killed. */
    static void attachAndSleep(String path) {
        try (SpscRing ring = SpscRing.attach(Path.of(path))) {
            SpscWriter out = ring.writer();
            out.write(new byte[1], 0, 1);
            Thread.sleep(Duration.ofMinutes(2));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Other processes' CPU since {@code before} (machine busy minus this tree), and this JVM's GCs. */
    private static String busy(Interval before) {
        Interval after = Interval.now();
        String gcs = String.format(Locale.ROOT, "GCs %d (%d ms)", after.gcCount - before.gcCount, after.gcMillis - before.gcMillis);
        if (before.cpu.isEmpty() || after.cpu.isEmpty()) {
            return "others' CPU unknown, " + gcs;
        }
        CpuCounters.Sample a = before.cpu.get();
        CpuCounters.Sample b = after.cpu.get();
        double seconds = (b.nanoTime() - a.nanoTime()) / 1e9;
        double others = (b.busySeconds() - a.busySeconds()) - (b.ownSeconds() - a.ownSeconds());
        return String.format(Locale.ROOT, "others' CPU %.0f%%, %s", Math.max(0, 100 * others / seconds), gcs);
    }

    /** Counters read at the start of a timed interval. */
    private record Interval(java.util.Optional<CpuCounters.Sample> cpu, long gcCount, long gcMillis) {
        static Interval now() {
            long count = 0;
            long millis = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new Interval(CpuCounters.read(), count, millis);
        }
    }
}
