package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.square;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.StartMethod;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.ChildJvms;
import org.multiprocessing4j.bench.pool.PoolTasks;
import org.multiprocessing4j.bench.pool.ThreadPoolTwin;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code pool_lifecycle} (ms) of {@code shared/bench/python/README.md}, for the library's two start methods
 * under their own prefixes ({@code jvm-spawn/}: a fresh JVM per worker; {@code jvm-prestarted/}: booted
 * standby JVMs take the worker role, two standbys so that both workers find one) and for a
 * {@code ThreadPoolExecutor} of 2 threads ({@code threads/}). Per start method 1 warm-up repetition, then 5:
 * <ul>
 *   <li>{@code pool_create}: {@code Pool.builder().processes(2).context(ctx).build()} returns (the workers
 *       boot in the background, as CPython's {@code Pool(2)} returns once it has started its processes);</li>
 *   <li>{@code pool_create_to_first_result}: from before the constructor until {@code apply(() -> square(3))}
 *       returns 9;</li>
 *   <li>{@code pool_close_join}: {@code close()} (close + join: every worker has exited) right after;</li>
 *   <li>{@code executor_create_to_first_result}: {@code ProcessPoolExecutor} of 2 workers +
 *       {@code submit(() -> square(3)).get()};</li>
 *   <li>{@code executor_shutdown}: {@code shutdown(wait = true, cancelFutures = false)} right after.</li>
 * </ul>
 * Untimed before each repetition, {@link Context#prestart()} waits for the library's AOT cache and (PRESTARTED)
 * for the standbys, as {@code process_start} does; after each method the context is closed and the workload
 * waits for every child JVM to end. {@code threads/} lines: {@code pool_create} builds the executor and starts its
 * threads, {@code executor_create_to_first_result} leaves them to start on demand; close = shutdown + await.
 * Compared with CPython: {@code jvm-spawn/} with {@code spawn/} and {@code forkserver/}, {@code jvm-prestarted/}
 * with {@code fork/} and {@code forkserver/}, {@code threads/} with {@code fork/}. Run:
 * {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pool_lifecycle"}.
 */
public final class PoolLifecycle implements Workload {
    private static final int PROCESSES = 2;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> POOL_VARIANTS = List.of("pool_create", "pool_create_to_first_result", "pool_close_join");
    private static final List<String> EXECUTOR_VARIANTS = List.of("executor_create_to_first_result", "executor_shutdown");

    /** One pool repetition: create, create-to-first-result, close-join, in ms. */
    private record PoolRep(double create, double toFirstResult, double closeJoin) {
    }

    /** One executor repetition: create-to-first-result, shutdown, in ms. */
    private record ExecutorRep(double toFirstResult, double shutdown) {
    }

    @Override
    public String name() {
        return "pool_lifecycle";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(POOL_VARIANTS);
        all.addAll(EXECUTOR_VARIANTS);
        for (String v : all) {
            m.put("jvm-spawn/" + v, List.of("spawn/" + v, "forkserver/" + v));
            m.put("jvm-prestarted/" + v, List.of("fork/" + v, "forkserver/" + v));
            m.put(Twins.PREFIX + v, List.of("fork/" + v));
        }
        return m;
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        measure(ctx, StartMethod.SPAWN, "jvm-spawn/");
        measure(ctx, StartMethod.PRESTARTED, "jvm-prestarted/");
        threads(ctx);
    }

    private void measure(BenchContext ctx, StartMethod method, String prefix) throws Exception {
        List<PoolRep> pools;
        List<ExecutorRep> executors;
        String serializer;
        try (Context jctx = Context.builder().startMethod(method).standbyCount(PROCESSES).build()) {
            serializer = jctx.serializer().getName();
            pools = Repeat.measured(0, 0, n -> {
                jctx.prestart(); // untimed: AOT cache written, standbys booted
                long t0 = System.nanoTime();
                Pool p = Pool.builder().processes(PROCESSES).context(jctx).build();
                long t1;
                long t2;
                long r;
                try {
                    t1 = System.nanoTime();
                    r = p.apply(() -> square(3));
                    t2 = System.nanoTime();
                } finally {
                    p.close();
                }
                long t3 = System.nanoTime();
                PoolTasks.check("apply(square, 3)", 9, r);
                return new PoolRep(ms(t1 - t0), ms(t2 - t0), ms(t3 - t2));
            });
            executors = Repeat.measured(0, 0, n -> {
                jctx.prestart();
                long t0 = System.nanoTime();
                ProcessPoolExecutor ex = ProcessPoolExecutor.builder().maxWorkers(PROCESSES).context(jctx).build();
                long t1;
                long r;
                try {
                    r = ex.submit(() -> square(3)).get();
                    t1 = System.nanoTime();
                    ex.shutdown(true, false);
                } finally {
                    ex.close();
                }
                long t2 = System.nanoTime();
                PoolTasks.check("submit(square, 3)", 9, r);
                return new ExecutorRep(ms(t1 - t0), ms(t2 - t1));
            });
        } finally {
            ChildJvms.awaitEnded(CHILD_TIMEOUT);
        }
        Map<String, Object> params = Result.params("start_method", method.name(), "processes", PROCESSES,
                "main_module", "library ChildMain; tasks = lambdas of the bench jar (on the workers' class path)",
                "serializer", serializer,
                "standby_count", method == StartMethod.PRESTARTED ? PROCESSES : 0,
                "untimed_before_each_rep", "Context.prestart(): AOT cache ready" + (method == StartMethod.PRESTARTED
                        ? ", " + PROCESSES + " standby JVMs booted" : ""));
        emitPools(ctx, prefix, pools, params);
        emitExecutors(ctx, prefix, executors, params);
    }

    private void threads(BenchContext ctx) throws Exception {
        List<PoolRep> pools = Repeat.measured(0, 0, n -> {
            long t0 = System.nanoTime();
            ThreadPoolTwin p = ThreadPoolTwin.started(PROCESSES);
            long t1;
            long t2;
            long r;
            try {
                t1 = System.nanoTime();
                r = ThreadPoolTwin.get(p.submit(() -> square(3)));
                t2 = System.nanoTime();
            } finally {
                p.close();
            }
            long t3 = System.nanoTime();
            PoolTasks.check("submit(square, 3)", 9, r);
            return new PoolRep(ms(t1 - t0), ms(t2 - t0), ms(t3 - t2));
        });
        List<ExecutorRep> executors = Repeat.measured(0, 0, n -> {
            long t0 = System.nanoTime();
            ThreadPoolTwin p = ThreadPoolTwin.create(PROCESSES);
            long t1;
            long r;
            try {
                r = ThreadPoolTwin.get(p.submit(() -> square(3)));
                t1 = System.nanoTime();
            } finally {
                p.close();
            }
            long t2 = System.nanoTime();
            PoolTasks.check("submit(square, 3)", 9, r);
            return new ExecutorRep(ms(t1 - t0), ms(t2 - t1));
        });
        Map<String, Object> params = Twins.params(Result.params("processes", PROCESSES), true, null);
        emitPools(ctx, Twins.PREFIX, pools, params);
        emitExecutors(ctx, Twins.PREFIX, executors, params);
    }

    private void emitPools(BenchContext ctx, String prefix, List<PoolRep> reps, Map<String, Object> params) {
        emit(ctx, prefix + "pool_create", reps, PoolRep::create, params);
        emit(ctx, prefix + "pool_create_to_first_result", reps, PoolRep::toFirstResult, params);
        emit(ctx, prefix + "pool_close_join", reps, PoolRep::closeJoin, params);
    }

    private void emitExecutors(BenchContext ctx, String prefix, List<ExecutorRep> reps, Map<String, Object> params) {
        emit(ctx, prefix + "executor_create_to_first_result", reps, ExecutorRep::toFirstResult, params);
        emit(ctx, prefix + "executor_shutdown", reps, ExecutorRep::shutdown, params);
    }

    private <T> void emit(BenchContext ctx, String variant, List<T> reps, ToDoubleFunction<T> figure, Map<String, Object> params) {
        ctx.emit(Result.of(name(), variant, Stats.of(reps.stream().mapToDouble(figure).toArray()), "ms", params));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
