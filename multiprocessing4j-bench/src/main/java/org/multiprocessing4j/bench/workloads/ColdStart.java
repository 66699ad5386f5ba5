package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.SQUARE;
import static org.multiprocessing4j.bench.pool.PoolTasks.check;
import static org.multiprocessing4j.bench.pool.PoolTasks.sumOfSquares;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.env.ThreadCpu;
import org.multiprocessing4j.bench.pool.IntRange;

/**
 * {@code cold_start} (JVM-only, no CPython counterpart): where the CPU of the first seconds of fresh child
 * JVMs goes. The README's workloads time 5 repetitions after a single warm-up; for per-item workloads that
 * window falls in the JVMs' first second, while their JIT compilers are still at work. This workload
 * repeats two of them {@value #REPS} times with the same sizes and, for each repetition, splits the CPU
 * time of this JVM and of its child JVMs into JIT compiler threads, GC threads and all other threads
 * ({@link ThreadCpu}):
 * <ul>
 * <li>{@code map_chunksize_1}: a fresh {@link Pool}(2), warmed with {@code map(square, range(1000))} as
 *     {@code pool_map_trivial} is, then {@code map(square, range(N), 1)}, N = 20,000 (3,000), the first
 *     repetition N/4;</li>
 * <li>{@code queue}: a fresh {@link Queue}, the parent puts the ints 0…N−1 and −1, a child sums them and
 *     sends the sum back over a pipe, as {@code queue_throughput}'s {@code Queue}; N = 100,000 (10,000),
 *     the first repetition N/4.</li>
 * </ul>
 * For each: {@code <name>/reps1-5} and {@code <name>/reps6-9} (the rate, median over those repetitions:
 * the README's window, and the four after it), and {@code <name>/jit_share_reps1-5} and
 * {@code _reps6-9} (the JIT threads' part of the CPU that this JVM and the children spent in those
 * repetitions). Each repetition's figures are in the first line's {@code per_rep}. This JVM is usually
 * warm by the time this runs (it comes last); the children never are.
 *
 * <p>Run alone: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--only cold_start"}.
 */
public final class ColdStart implements Workload {
    /** Repetitions: 0 is the README's warm-up, 1-5 its measured window, 6-9 the time after. */
    static final int REPS = 10;

    private interface Step {
        void run(int size) throws Exception;
    }

    /** One repetition: its size, its time, and the CPU this JVM and the children spent in it. */
    private record Rep(int size, double seconds, ThreadCpu.Split parent, ThreadCpu.Split children) {
        double rate() {
            return size / seconds;
        }
    }

    @Override
    public String name() {
        return "cold_start";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(20_000, 3_000);
        Set<Long> before = childPids();
        try (Pool pool = new Pool(2)) {
            pool.map(SQUARE, new IntRange(1000)); // as pool_map_trivial: the default chunksize
            List<Long> workers = childPids().stream().filter(p -> !before.contains(p)).toList();
            List<Rep> reps = measure(n, workers, size -> {
                List<Long> res = pool.map(SQUARE, new IntRange(size), 1);
                long sum = 0;
                for (long x : res) {
                    sum += x;
                }
                check("map(square, range(" + size + "), 1)", sumOfSquares(size), sum);
            });
            emit(ctx, "map_chunksize_1", "tasks/s", reps, Result.params("N", n, "processes", 2, "chunksize", 1,
                    "children", workers.size()));
        }

        int q = ctx.size(100_000, 10_000);
        try (Queue<Integer> queue = new Queue<>(); Pipe sums = Pipe.open(false)) {
            Connection sumReader = sums.left();
            Connection sumWriter = sums.right();
            Process consumer = new Process("cold-start-consumer", () -> consume(queue, sumWriter));
            consumer.start();
            try {
                List<Long> child = List.of(consumer.pid().orElseThrow());
                List<Rep> reps = measure(q, child, size -> {
                    for (int i = 0; i < size; i++) {
                        queue.put(i);
                    }
                    queue.put(-1);
                    long sum = ((Number) sumReader.recv()).longValue();
                    check("sum of 0.." + (size - 1) + " through the queue", (long) size * (size - 1) / 2, sum);
                });
                queue.put(-2);
                consumer.join(Duration.ofSeconds(30));
                emit(ctx, "queue", "msgs/s", reps, Result.params("N", q, "item", "int 0..N-1", "producer", "parent",
                        "consumer", "child"));
            } finally {
                if (consumer.isAlive()) {
                    consumer.kill();
                    consumer.join();
                }
            }
        }
    }

    private static List<Rep> measure(int n, List<Long> children, Step step) throws Exception {
        long me = ProcessHandle.current().pid();
        List<Rep> reps = new ArrayList<>(REPS);
        for (int r = 0; r < REPS; r++) {
            int size = r == 0 ? Math.max(1, n / 4) : n;
            ThreadCpu.Sample p0 = sample(me);
            List<ThreadCpu.Sample> c0 = children.stream().map(ColdStart::sample).toList();
            long t0 = System.nanoTime();
            step.run(size);
            long t1 = System.nanoTime();
            ThreadCpu.Split parent = sample(me).since(p0);
            ThreadCpu.Split kids = ThreadCpu.Split.NONE;
            for (int i = 0; i < children.size(); i++) {
                kids = kids.plus(sample(children.get(i)).since(c0.get(i)));
            }
            reps.add(new Rep(size, (t1 - t0) / 1e9, parent, kids));
        }
        return reps;
    }

    /** A reading, or zeros if the process cannot be read (then its share shows as 0, not as an error). */
    private static ThreadCpu.Sample sample(long pid) {
        return ThreadCpu.read(pid).orElse(new ThreadCpu.Sample(0, 0, 0));
    }

    private void emit(BenchContext ctx, String prefix, String unit, List<Rep> reps, Map<String, Object> params) {
        List<Object> perRep = new ArrayList<>();
        for (int r = 0; r < reps.size(); r++) {
            Rep rep = reps.get(r);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rep", r);
            m.put("n", rep.size());
            m.put("per_s", Math.round(rep.rate()));
            m.put("parent", rep.parent().toMillis());
            m.put("children", rep.children().toMillis());
            perRep.add(m);
        }
        Map<String, Object> first = new LinkedHashMap<>(params);
        first.put("per_rep", perRep);
        ctx.emit(Result.of(name(), prefix + "/reps1-5", rates(reps, 1, 5), unit, first));
        ctx.emit(Result.of(name(), prefix + "/reps6-9", rates(reps, 6, 9), unit, params));
        ctx.emit(Result.of(name(), prefix + "/jit_share_reps1-5", Stats.of(jitShare(reps, 1, 5)), "fraction", params));
        ctx.emit(Result.of(name(), prefix + "/jit_share_reps6-9", Stats.of(jitShare(reps, 6, 9)), "fraction", params));
    }

    private static Stats rates(List<Rep> reps, int from, int to) {
        return Stats.of(reps.subList(from, to + 1).stream().map(Rep::rate).collect(Collectors.toList()));
    }

    /** The JIT threads' CPU over all CPU of this JVM and the children, in repetitions {@code from..to}. */
    static double jitShare(List<Rep> reps, int from, int to) {
        double jit = 0;
        double all = 0;
        for (Rep r : reps.subList(from, to + 1)) {
            jit += r.parent().jit() + r.children().jit();
            all += r.parent().total() + r.children().total();
        }
        return all > 0 ? jit / all : 0;
    }

    private static Set<Long> childPids() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static void consume(Queue<Integer> queue, Connection sums) {
        try {
            long sum = 0;
            while (true) {
                int x = queue.get();
                if (x == -2) {
                    return;
                }
                if (x == -1) {
                    sums.send(sum);
                    sum = 0;
                } else {
                    sum += x;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("consumer failed", e);
        }
    }
}
