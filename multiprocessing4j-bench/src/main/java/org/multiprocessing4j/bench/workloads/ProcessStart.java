package org.multiprocessing4j.bench.workloads;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.StartMethod;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code process_start} (ms), as {@code shared/bench/python/README.md} defines it, for the library's two
 * start methods under their own prefixes: {@code jvm-spawn/} ({@link StartMethod#SPAWN}, a fresh JVM per
 * process) and {@code jvm-prestarted/} ({@link StartMethod#PRESTARTED}, a booted standby JVM takes the target).
 *
 * <p>One sample, as in CPython's probe, is one {@code first_line} start followed by one
 * {@code start_join_empty} start:
 * <ul>
 *   <li>{@code first_line}: untimed, the parent binds a Unix-domain {@link ServerSocketChannel} on a path in
 *       a temp directory (the library's {@code Pipe} does not exist yet) and creates the process, whose target
 *       captures only that path. {@code t0 = System.nanoTime()} right before {@code p.start()}; the target's
 *       first statement reads {@code System.nanoTime()} (CLOCK_MONOTONIC, the clock of Python's
 *       {@code monotonic_ns}), then connects and sends it as 8 little-endian bytes. Value = child timestamp
 *       &minus; t0. The socket file is deleted after each start.</li>
 *   <li>{@code start_call}: how long {@code p.start()} took to return, in the same runs.</li>
 *   <li>{@code start_join_empty}: {@code t0}, {@code p.start()}, {@code p.join()}, {@code t1}, for an empty
 *       target; exit code 0 checked.</li>
 * </ul>
 * {@link Context#prestart()} is called untimed before every start (setup, as CPython creates its pipes
 * untimed): it waits for the library's AOT cache (trained once per build of the jars) and, with
 * {@code PRESTARTED}, for a warm standby; a PRESTARTED {@code start()} over 50 ms means no standby was ready
 * after all, and the params count such samples, as they count the first_line children that had the cache.
 * Samples: {@code jvm-spawn} 10 (5) like CPython's spawn, {@code jvm-prestarted} 20 (8)
 * like its forkserver, each after 3 (2) warm-up samples. Every child is joined (killed first if it outlives
 * its sample) and closed; the context (and its standby JVM) is closed at the end, after which the workload waits
 * until every child JVM of this JVM has ended ({@link Context#close()} kills the standby without waiting for it).
 */
public final class ProcessStart implements Workload {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    /** A PRESTARTED start() slower than this booted a JVM itself (a standby hands over in a few ms). */
    private static final double SLOW_START_MS = 50;

    /** One sample; {@code aot}: whether the first_line child ran with an AOT cache (null: unknown). */
    private record Sample(double startCall, double firstLine, double startJoinEmpty, Boolean aot) {
    }

    private record FirstLine(double startCall, double firstLine, Boolean aot) {
    }

    /** Creates the workload; nothing is allocated until it runs. */
    public ProcessStart() {
    }

    @Override
    public String name() {
        return "process_start";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String v : List.of("first_line", "start_call", "start_join_empty")) {
            m.put("jvm-spawn/" + v, List.of("spawn/" + v, "forkserver/" + v));
            m.put("jvm-prestarted/" + v, List.of("fork/" + v, "forkserver/" + v));
        }
        return m;
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int warm = ctx.size(3, 2);
        measure(ctx, StartMethod.SPAWN, "jvm-spawn", ctx.size(10, 5), warm);
        measure(ctx, StartMethod.PRESTARTED, "jvm-prestarted", ctx.size(20, 8), warm);
    }

    private void measure(BenchContext ctx, StartMethod method, String prefix, int samples, int warm) throws Exception {
        Path dir = Files.createTempDirectory("mp4j_probe_");
        try (Context jctx = Context.builder().startMethod(method).build()) {
            sample(ctx, jctx, method, prefix, samples, warm, dir);
        } finally {
            try {
                awaitChildJvmsEnded();
            } finally {
                deleteTree(dir);
            }
        }
    }

    private void sample(BenchContext ctx, Context jctx, StartMethod method, String prefix, int samples, int warm, Path dir)
            throws Exception {
        boolean prestarted = method == StartMethod.PRESTARTED;
        List<Sample> rows = Repeat.measured(warm, samples, 0, 0, n -> {
            // untimed setup: the AOT cache exists (both methods) and a warm standby waits (PRESTARTED)
            jctx.prestart();
            FirstLine first = startFirstLine(jctx, dir);
            jctx.prestart();
            return new Sample(first.startCall(), first.firstLine(), startJoinEmpty(jctx), first.aot());
        });
        Map<String, Object> params = Result.params(
                "start_method", method.name(), "samples", samples, "warmups", warm,
                "clock", "CLOCK_MONOTONIC (System.nanoTime)",
                "main_module", "library ChildMain; target = lambda in ProcessStart (bench jar on the class path)",
                "first_line_channel", "Unix-domain socket (java.nio), bound untimed; the library's Pipe is not written yet",
                "jvm", System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vm.info") + ")",
                "child_jvm_flags", "inherited from the bench JVM " + ManagementFactory.getRuntimeMXBean().getInputArguments()
                        + " (minus its own class-data/AOT flags), plus --enable-native-access, the library's AOT cache"
                        + " options once its background training has written the cache, and -cp <bench class path>",
                "first_line_children_with_aot_cache", rows.stream().filter(r -> Boolean.TRUE.equals(r.aot())).count()
                        + " of " + samples + " (-XX:AOTCache= in /proc/<pid>/cmdline, read untimed; "
                        + rows.stream().filter(r -> r.aot() == null).count() + " unknown)");
        if (prestarted) {
            long slow = rows.stream().filter(r -> r.startCall() > SLOW_START_MS).count();
            params.put("standby_count", jctx.standbyCount());
            params.put("standby_ready", "prestart() called untimed before every start (first_line and start_join_empty) so that"
                    + " a booted standby waits; its replacement then boots in the background during the timed region");
            params.put("start_call_over_" + (int) SLOW_START_MS + "ms", slow + " of " + samples
                    + " (start() booted a JVM itself: no standby was ready although prestart() had returned)");
        }
        ctx.emit(Result.of(name(), prefix + "/first_line", Stats.of(rows.stream().mapToDouble(Sample::firstLine).toArray()), "ms", params));
        ctx.emit(Result.of(name(), prefix + "/start_call", Stats.of(rows.stream().mapToDouble(Sample::startCall).toArray()), "ms", params));
        ctx.emit(Result.of(name(), prefix + "/start_join_empty", Stats.of(rows.stream().mapToDouble(Sample::startJoinEmpty).toArray()), "ms", params));
    }

    /**
     * Waits until every child JVM of this JVM has ended. Needed after {@link Context#close()}: it kills the
     * waiting standby but returns before that JVM has gone. Also used by {@link ManagerWorkload}.
     */
    static void awaitChildJvmsEnded() throws InterruptedException {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException("child process " + h.pid() + " " + h.info().commandLine().orElse("")
                        + " still alive " + CHILD_TIMEOUT + " after its context was closed", e);
            }
        }
    }

    /** One first_line start. */
    private static FirstLine startFirstLine(Context jctx, Path dir) throws Exception {
        Path sock = dir.resolve("first_line.sock");
        Files.deleteIfExists(sock);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(sock));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            String path = sock.toString();
            Process p = jctx.process(() -> {
                long t = System.nanoTime(); // first statement of the target
                sendLong(path, t);
            });
            try {
                long t0 = System.nanoTime();
                p.start();
                long t1 = System.nanoTime();
                long tc;
                try (SocketChannel ch = accept(server, selector, p)) {
                    tc = readLong(ch);
                }
                Boolean aot = usesAotCache(p.pid().getAsLong());
                endAndCheck(p);
                return new FirstLine((t1 - t0) / 1e6, (tc - t0) / 1e6, aot);
            } finally {
                reap(p);
            }
        } finally {
            Files.deleteIfExists(sock);
        }
    }

    /** One start_join_empty start, in ms. */
    private static double startJoinEmpty(Context jctx) throws Exception {
        Process p = jctx.process(() -> {
        });
        try {
            long t0 = System.nanoTime();
            p.start();
            p.join();
            long t1 = System.nanoTime();
            Integer code = p.exitCode();
            if (code == null || code != 0) throw new IllegalStateException("empty child ended with exit code " + code + ": " + p);
            return (t1 - t0) / 1e6;
        } finally {
            reap(p);
        }
    }

    /** Runs in the child: connects to the parent's socket and writes {@code t} as 8 little-endian bytes. */
    private static void sendLong(String path, long t) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(t).flip();
            while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the child's connection without spinning; fails if the child ends first or takes too long. */
    private static SocketChannel accept(ServerSocketChannel server, Selector selector, Process p) throws IOException {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (true) {
            SocketChannel ch = server.accept();
            if (ch != null) {
                ch.configureBlocking(true);
                return ch;
            }
            if (p.exitCode() != null) {
                throw new IllegalStateException("child ended (exit code " + p.exitCode() + ") without sending its timestamp: " + p);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no timestamp from the child within " + CHILD_TIMEOUT + ": " + p);
            }
            selector.select(100);
            selector.selectedKeys().clear();
        }
    }

    private static long readLong(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new EOFException("child closed the socket after " + b.position() + " of 8 bytes");
        }
        return b.flip().getLong();
    }

    /** Whether the child JVM's command line names an AOT cache; null if it has already gone. */
    private static Boolean usesAotCache(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .contains("-XX:AOTCache=");
        } catch (IOException e) {
            return null;
        }
    }

    /** Joins {@code p} (bounded) and checks it exited with 0. */
    private static void endAndCheck(Process p) throws InterruptedException {
        p.join(CHILD_TIMEOUT);
        Integer code = p.exitCode();
        if (code == null) throw new IllegalStateException("child still running " + CHILD_TIMEOUT + " after sending its timestamp: " + p);
        if (code != 0) throw new IllegalStateException("child ended with exit code " + code + ": " + p);
    }

    /** Makes sure {@code p} has ended (killing it if needed), has been joined, and is closed. */
    private static void reap(Process p) throws InterruptedException {
        if (p.pid().isPresent()) {
            if (p.isAlive()) {
                p.kill();
            }
            p.join(CHILD_TIMEOUT);
            if (p.isAlive()) throw new IllegalStateException("child did not end after kill: " + p);
        }
        p.close();
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            s.forEach(paths::add);
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(paths.get(i));
        }
    }
}
