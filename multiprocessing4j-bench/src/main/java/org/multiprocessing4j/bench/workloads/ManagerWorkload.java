package org.multiprocessing4j.bench.workloads;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.ManagerServer;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.RemoteManager;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.StartMethod;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code manager} of {@code shared/bench/python/README.md} ({@code wl_manager} in {@code mp_baseline.py}):
 * <ul>
 * <li>{@code start} / {@code shutdown} (ms): {@link Manager#start()} (starts the manager JVM in the default
 *     context and connects to it) and {@link Manager#shutdown()}; 1 warm-up, then 5 repetitions, both timed in
 *     the parent. {@link Context#prestart()} runs untimed before each (the AOT cache child JVMs boot from is
 *     written, as {@link ProcessStart} does). CPython's figure in a harness run is {@code fork}'s;
 * <li>{@code dict_set_get} (µs per op): a {@link Manager#dict()} proxy is captured by a child JVM, which first
 *     does one put and one get (opens its connection, untimed), then per repetition N/2 iterations of
 *     {@code d.put("k", i); x = d.get("k")}, N = 20,000 (1,000) operations, timed inside the child; value =
 *     time / N. Warm-up and measured repetitions all run in the same child (as the script's {@code rounds});
 *     the child sends its times and last {@code x} back over a one-way {@link Pipe}, and the parent checks
 *     {@code x == N/2 − 1};
 * <li>{@code queue_put_get} (µs per op): the same with {@link Manager#queue()}: {@code q.put(i); q.get()}.
 *     Our manager's queue is not a proxy but the library's shared-memory {@link Queue}, made and owned by
 *     the manager process, so the child's calls never reach the manager.
 * </ul>
 * JVM-only, labelled lines:
 * <ul>
 * <li>{@code jvm-prestarted/start} / {@code jvm-prestarted/shutdown}: the same in a {@link StartMethod#PRESTARTED}
 *     context, a booted standby JVM waiting before each start (compared with CPython's {@code start} /
 *     {@code shutdown}, i.e. fork's);
 * <li>{@code remote-tcp/dict_set_get} (compared with CPython's {@code dict_set_get}): a {@link ManagerServer} on
 *     127.0.0.1 port 0 in this (the parent) JVM serves a {@link ConcurrentHashMap} as {@code "d"}; the child
 *     connects with
 *     {@link Manager#connect}{@code (address, authkey).get("d", ConcurrentMap.class)} (untimed, with its
 *     first put and get) and runs the same loop over loopback TCP;
 * <li>{@code threads/dict_set_get} (compared with CPython's {@code dict_set_get}): the same loop on a
 *     {@link ConcurrentHashMap} from another thread of this JVM (the price of isolation).
 * </ul>
 * Java's {@code put} returns the previous value where Python's {@code d['k'] = i} returns nothing: one
 * {@code Integer} more per set on the way back. Run: {@code ./mvnw -q -Pbench -DskipTests package
 * -Dbench.args="--cpython --only manager"}.
 */
public final class ManagerWorkload implements Workload {

    /** The prefix of the JVM-only line whose dict is served over loopback TCP by a {@link ManagerServer}. */
    static final String REMOTE = "remote-tcp/";

    /** The prefix of the JVM-only start/shutdown lines whose manager JVM is a prestarted standby. */
    static final String PRESTARTED = "jvm-prestarted/";

    /** How long the parent waits for a child's times before calling the run failed. */
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    /** What a child sends back: the duration of each round in ns, and the last value it read. */
    private record ChildTimes(long[] roundNanos, int lastRead) implements Serializable {
    }

    /** The two operations of one timed iteration, over a map or a queue. */
    private interface SetGet {
        /** One set and one get ({@code d['k'] = i; x = d['k']} or {@code q.put(i); x = q.get()}); returns x. */
        int setGet(int i) throws Exception;
    }

    /** Start and shutdown of one repetition, in ms. */
    private record Lifecycle(double startMs, double shutdownMs) {
    }

    @Override
    public String name() {
        return "manager";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        Map<String, List<String>> m = new LinkedHashMap<>(Twins.comparedWithCPython("dict_set_get"));
        m.put(REMOTE + "dict_set_get", List.of("dict_set_get"));
        m.put(PRESTARTED + "start", List.of("start"));
        m.put(PRESTARTED + "shutdown", List.of("shutdown"));
        return m;
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        lifecycle(ctx, "", Multiprocessing.defaultContext(), Map.of());
        try (Context prestarted = Context.builder().startMethod(StartMethod.PRESTARTED).build()) {
            lifecycle(ctx, PRESTARTED, prestarted, Result.params("start_method", "PRESTARTED",
                    "standby_ready", "prestart() called untimed before every start: Manager.start() hands the manager"
                            + " to a booted standby JVM; its replacement boots in the background during the timed region"));
        } finally {
            ProcessStart.awaitChildJvmsEnded();
        }

        int n = ctx.size(20_000, 1_000);
        int rounds = Repeat.warmups() + Repeat.REPS;
        try (Manager m = Manager.start()) {
            ConcurrentMap<String, Integer> d = m.dict();
            emitChild(ctx, "dict_set_get", n, dictChild(d), Result.params("ops_per_rep", n, "caller", "child process"));
            Queue<Integer> q = m.queue();
            emitChild(ctx, "queue_put_get", n, queueChild(q), Result.params("ops_per_rep", n, "caller", "child process",
                    "queue", "org.multiprocessing4j.Queue made by the manager process (shared memory, not a proxy)"));
        }

        byte[] authkey = new byte[32];
        new SecureRandom().nextBytes(authkey);
        ConcurrentHashMap<String, Integer> served = new ConcurrentHashMap<>();
        try (ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), authkey)
                .register("d", () -> served).start()) {
            InetSocketAddress address = (InetSocketAddress) server.address();
            emitChild(ctx, REMOTE + "dict_set_get", n, remoteDictChild(address, authkey),
                    Result.params("ops_per_rep", n, "caller", "child process",
                            "server", "ManagerServer in the parent JVM on 127.0.0.1 (TCP), serving a ConcurrentHashMap"));
        }

        ConcurrentHashMap<String, Integer> local = new ConcurrentHashMap<>();
        ChildTimes threadTimes = inThread(() -> timedRounds(n, rounds, local, i -> {
            local.put("k", i);
            return local.get("k");
        }));
        emit(ctx, Twins.PREFIX + "dict_set_get", n, threadTimes, Result.params("ops_per_rep", n, "caller", "another thread",
                "dict", "java.util.concurrent.ConcurrentHashMap in the bench JVM"));
    }

    /**
     * {@code start} / {@code shutdown} with managers made in {@code jctx}, whose {@link Context#prestart()} runs
     * untimed before each repetition (the AOT cache child JVMs boot from is written; for PRESTARTED, a standby waits).
     */
    private void lifecycle(BenchContext ctx, String prefix, Context jctx, Map<String, Object> params) throws Exception {
        List<Lifecycle> reps = Repeat.measured(1, 1, size -> {
            jctx.prestart();
            long t0 = System.nanoTime();
            Manager m = Manager.builder().context(jctx).start();
            long t1 = System.nanoTime();
            m.shutdown();
            long t2 = System.nanoTime();
            return new Lifecycle((t1 - t0) / 1e6, (t2 - t1) / 1e6);
        });
        ctx.emit(Result.of(name(), prefix + "start", Stats.of(reps.stream().map(Lifecycle::startMs).toList()), "ms", params));
        ctx.emit(Result.of(name(), prefix + "shutdown", Stats.of(reps.stream().map(Lifecycle::shutdownMs).toList()), "ms", params));
    }

    /** Starts a child that runs {@code body} (which returns its times), receives the times and emits the line. */
    private void emitChild(BenchContext ctx, String variant, int n, ChildBody body, Map<String, Object> params)
            throws Exception {
        int rounds = Repeat.warmups() + Repeat.REPS;
        ChildTimes times;
        try (Pipe pipe = Pipe.open(false)) {
            Connection reader = pipe.left();
            Connection writer = pipe.right();
            SerializableRunnable target = () -> {
                try {
                    writer.send(body.run(n, rounds));
                } catch (Exception e) {
                    throw new IllegalStateException(variant + " child failed", e);
                }
            };
            Process child = new Process("manager-" + variant.replace('/', '-'), target);
            child.start();
            try {
                if (!reader.poll(CHILD_TIMEOUT)) {
                    throw new IllegalStateException("the " + variant + " child sent nothing within " + CHILD_TIMEOUT
                            + " (exit code " + child.exitCode() + ")");
                }
                times = (ChildTimes) reader.recv();
                child.join(Duration.ofSeconds(30));
                if (child.exitCode() == null || child.exitCode() != 0) {
                    throw new IllegalStateException(child + " ended with exit code " + child.exitCode());
                }
            } finally {
                if (child.isAlive()) {
                    child.kill();
                    child.join();
                }
            }
        }
        emit(ctx, variant, n, times, params);
    }

    private void emit(BenchContext ctx, String variant, int n, ChildTimes times, Map<String, Object> params) {
        if (times.lastRead() != n / 2 - 1) {
            throw new IllegalStateException(variant + ": the last value read was " + times.lastRead() + ", expected " + (n / 2 - 1));
        }
        long[] all = times.roundNanos();
        List<Double> usPerOp = new ArrayList<>();
        for (int r = Repeat.warmups(); r < all.length; r++) {
            usPerOp.add(all[r] / (double) n / 1e3);
        }
        ctx.emit(Result.of(name(), variant, Stats.of(usPerOp), "us/op", params));
    }

    /** What a child runs: {@code rounds} timed rounds of N operations. */
    @FunctionalInterface
    private interface ChildBody extends Serializable {
        ChildTimes run(int n, int rounds) throws Exception;
    }

    // ---- children (manager_dict_child / manager_queue_child) ------------------------------------------------

    private static ChildTimes dictChild(ConcurrentMap<String, Integer> d, int n, int rounds) throws Exception {
        return timedRounds(n, rounds, d, i -> {
            d.put("k", i);
            return d.get("k");
        });
    }

    private static ChildBody dictChild(ConcurrentMap<String, Integer> d) {
        return (n, rounds) -> dictChild(d, n, rounds);
    }

    private static ChildBody queueChild(Queue<Integer> q) {
        return (n, rounds) -> {
            q.put(-1);        // first use maps the queue in this process, untimed
            q.get();
            return rounds(n, rounds, i -> {
                q.put(i);
                return q.get();
            });
        };
    }

    private static ChildBody remoteDictChild(InetSocketAddress address, byte[] authkey) {
        return (n, rounds) -> {
            try (RemoteManager remote = Manager.connect(address, authkey)) {
                @SuppressWarnings("unchecked")
                ConcurrentMap<String, Integer> d = remote.get("d", ConcurrentMap.class);
                return timedRounds(n, rounds, d, i -> {
                    d.put("k", i);
                    return d.get("k");
                });
            }
        };
    }

    /** One untimed set and get on {@code d} (opens this process's connection), then the timed rounds. */
    private static ChildTimes timedRounds(int n, int rounds, ConcurrentMap<String, Integer> d, SetGet op) throws Exception {
        d.put("k", -1);
        d.get("k");
        return rounds(n, rounds, op);
    }

    private static ChildTimes rounds(int n, int rounds, SetGet op) throws Exception {
        long[] out = new long[rounds];
        int x = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n / 2; i++) {
                x = op.setGet(i);
            }
            out[r] = System.nanoTime() - t0;
        }
        return new ChildTimes(out, x);
    }

    /** Runs {@code body} on a new platform thread and returns what it returned (the thread twin of a child). */
    private static ChildTimes inThread(ChildTimesSupplier body) throws Exception {
        AtomicReference<ChildTimes> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("manager-thread-twin").start(() -> {
            try {
                result.set(body.get());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    @FunctionalInterface
    private interface ChildTimesSupplier {
        ChildTimes get() throws Exception;
    }
}
