package org.multiprocessing4j.bench.workloads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.IntValue;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Semaphore;
import org.multiprocessing4j.Value;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code lock} of {@code shared/bench/python/README.md}:
 * <ul>
 * <li>{@code uncontended_Lock} / {@code _RLock} / {@code _Semaphore} (ns/pair): one thread, {@code acquire();
 *     release()} × 1,000,000 (100,000) on a {@link Lock}, {@link RLock}, {@link Semaphore Semaphore(1)}, loop
 *     included;
 * <li>{@code value_increment_1proc} (ops/s): {@code lock.acquire(); v.set(v.get() + 1); lock.release()} on
 *     {@link Value#ofInt(int)} with {@code lock = v.getLock()} (an {@link RLock}, as CPython's), × 1,000,000
 *     (100,000), the count checked after the timed region;
 * <li>{@code value_increment_2proc_contended} (ops/s): two fresh child JVMs per repetition (started untimed,
 *     as CPython forks fresh children per repetition) each do that increment 1,000,000 (20,000) times on one
 *     new value. Each child releases a {@code ready} {@link Semaphore} and waits on an {@link Event} {@code go};
 *     the clock runs from just before {@code go.set()} until both have released {@code done}. Value = 2N / time;
 *     warm-up max(1000, N/20); {@code final_count_exact} and {@code final_counts} as CPython prints them.
 *     A fresh JVM runs its first thousands of increments in the interpreter (FFM accesses are slow there)
 *     while its JIT competes for the two CPUs, so in {@code --quick} mode this figure is mostly JIT warm-up;
 * <li>{@code jvm-reused-children/value_increment_2proc_contended}: the same, with the same two child JVMs
 *     for the warm-up and all five repetitions (JVM-only, labelled; compared with the same CPython line).
 * </ul>
 * Every line has a {@code threads/} twin in one JVM with {@code java.util.concurrent} (a {@link ReentrantLock}
 * for {@code Lock}, {@code RLock} and the value's lock, a {@link java.util.concurrent.Semaphore}; two threads
 * instead of two processes), compared with the same CPython line and, in the price-of-isolation table, with
 * its process-shared line. Run: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only lock"}.
 */
public final class LockWorkload implements Workload {
    private static final String[] VARIANTS = {"uncontended_Lock", "uncontended_RLock", "uncontended_Semaphore",
            "value_increment_1proc", "value_increment_2proc_contended"};

    /** The prefix of the JVM-only variant whose two child JVMs live through every repetition. */
    static final String REUSED = "jvm-reused-children/";

    /** How long the parent waits for a child's signal before calling the run failed (a hang otherwise). */
    static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    /** What one contended repetition measured. */
    private record Contended(double rate, long finalCount, long expected) {
    }

    /** A plain counter guarded by a {@link ReentrantLock}: the thread twin of a locked {@code Value('i')}. */
    private static final class LockedCounter {
        final ReentrantLock lock = new ReentrantLock();
        int value;
    }

    @Override
    public String name() {
        return "lock";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>(Twins.comparedWithCPython(VARIANTS));
        m.put(REUSED + "value_increment_2proc_contended", List.of("value_increment_2proc_contended"));
        return m;
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(1_000_000, 100_000);
        try (Lock lock = new Lock(); RLock rlock = new RLock(); Semaphore sem = new Semaphore(1)) {
            uncontended(ctx, "uncontended_Lock", n, size -> pairs(lock, size), null);
            uncontended(ctx, "uncontended_RLock", n, size -> pairs(rlock, size), null);
            uncontended(ctx, "uncontended_Semaphore", n, size -> pairs(sem, size), null);
        }
        ReentrantLock reentrant = new ReentrantLock();
        java.util.concurrent.Semaphore jsem = new java.util.concurrent.Semaphore(1);
        uncontended(ctx, Twins.PREFIX + "uncontended_Lock", n, size -> pairs(reentrant, size), "ReentrantLock");
        uncontended(ctx, Twins.PREFIX + "uncontended_RLock", n, size -> pairs(reentrant, size), "ReentrantLock");
        uncontended(ctx, Twins.PREFIX + "uncontended_Semaphore", n, size -> pairs(jsem, size),
                "java.util.concurrent.Semaphore(1)");

        try (IntValue v = Value.ofInt(0)) {
            RLock vlock = v.getLock();
            Stats s = Repeat.stats(n, size -> {
                v.set(0);
                long t0 = System.nanoTime();
                for (int i = 0; i < size; i++) {
                    vlock.acquire();
                    v.set(v.get() + 1);
                    vlock.release();
                }
                long dt = System.nanoTime() - t0;
                check(v.get(), size);
                return size / (dt / 1e9);
            });
            ctx.emit(Result.of(name(), "value_increment_1proc", s, "ops/s", Result.params("increments", n)));
        }
        LockedCounter c = new LockedCounter();
        Stats s = Repeat.stats(n, size -> {
            c.value = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < size; i++) {
                c.lock.lock();
                c.value = c.value + 1;
                c.lock.unlock();
            }
            long dt = System.nanoTime() - t0;
            check(c.value, size);
            return size / (dt / 1e9);
        });
        ctx.emit(Result.of(name(), Twins.PREFIX + "value_increment_1proc", s, "ops/s",
                Result.params("increments", n, "lock", "ReentrantLock", "value", "int field")));

        int m = ctx.size(1_000_000, 20_000);
        contended(ctx, "value_increment_2proc_contended", m,
                Repeat.measured(m, Math.max(1000, m / 20), LockWorkload::contendedProcesses),
                Result.params("processes", 2, "increments_per_process", m));
        contended(ctx, REUSED + "value_increment_2proc_contended", m, contendedReusedChildren(m),
                Result.params("processes", 2, "increments_per_process", m, "children", "the same two for every repetition",
                        "go", "Semaphore(0) released twice per repetition"));
        contended(ctx, Twins.PREFIX + "value_increment_2proc_contended", m,
                Repeat.measured(m, Math.max(1000, m / 20), LockWorkload::contendedThreads),
                Result.params("threads", 2, "increments_per_thread", m, "lock", "ReentrantLock", "value", "int field"));
    }

    private void uncontended(BenchContext ctx, String variant, int n, Repeat.Rep<Double> rep, String javaType)
            throws Exception {
        Stats s = Repeat.stats(n, rep);
        Map<String, Object> params = javaType == null ? Result.params("pairs", n)
                : Result.params("pairs", n, "lock", javaType);
        ctx.emit(Result.of(name(), variant, s, "ns/pair", params));
    }

    // One loop per class, so that each call site sees one type (as a program using one lock would).

    private static double pairs(Lock lock, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            lock.acquire();
            lock.release();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    private static double pairs(RLock lock, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            lock.acquire();
            lock.release();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    private static double pairs(Semaphore sem, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sem.acquire();
            sem.release();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    private static double pairs(ReentrantLock lock, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            lock.lock();
            lock.unlock();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    private static double pairs(java.util.concurrent.Semaphore sem, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sem.acquire();
            sem.release();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    private void contended(BenchContext ctx, String variant, int m, List<Contended> reps, Map<String, Object> params) {
        List<Long> finals = reps.stream().map(Contended::finalCount).toList();
        boolean exact = reps.stream().allMatch(r -> r.finalCount() == r.expected());
        ctx.emit(Result.of(name(), variant, Stats.of(reps.stream().map(Contended::rate).toList()), "ops/s", params)
                .with("final_count_exact", exact).with("final_counts", finals));
    }

    private static Contended contendedProcesses(int m) throws Exception {
        try (IntValue v = Value.ofInt(0); Semaphore ready = new Semaphore(0); Semaphore done = new Semaphore(0);
             Event go = new Event()) {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ps.add(new Process("incr-" + i, () -> incrementChild(v, m, ready, go, done)));
            }
            try {
                for (Process p : ps) {
                    p.start();
                }
                for (int i = 0; i < ps.size(); i++) {
                    awaitPermit(ready, "ready");
                }
                long t0 = System.nanoTime();
                go.set();
                for (int i = 0; i < ps.size(); i++) {
                    awaitPermit(done, "done");
                }
                long t1 = System.nanoTime();
                for (Process p : ps) {
                    p.join(Duration.ofSeconds(30));
                    if (p.exitCode() == null || p.exitCode() != 0) {
                        throw new IllegalStateException(p + " ended with exit code " + p.exitCode());
                    }
                }
                return new Contended(2.0 * m / ((t1 - t0) / 1e9), v.get(), 2L * m);
            } finally {
                for (Process p : ps) {
                    if (p.isAlive()) {
                        p.kill();
                        p.join();
                    }
                }
            }
        }
    }

    /**
     * The contended increments with two child JVMs started once and kept for the warm-up and every measured
     * repetition (their JIT then warms in the warm-up, as a thread's would), the value reset between repetitions
     * while they wait. {@code go} is a {@link Semaphore} released twice per repetition: an {@link Event} would
     * have to be cleared while a child may already be past its next wait.
     */
    private static List<Contended> contendedReusedChildren(int m) throws Exception {
        int warmN = Math.max(1000, m / 20);
        int warmups = Repeat.warmups();
        int rounds = warmups + Repeat.REPS;
        try (IntValue v = Value.ofInt(0); Semaphore ready = new Semaphore(0); Semaphore done = new Semaphore(0);
             Semaphore go = new Semaphore(0)) {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ps.add(new Process("incr-" + i, () -> incrementRounds(v, m, warmN, warmups, rounds, ready, go, done)));
            }
            try {
                for (Process p : ps) {
                    p.start();
                }
                List<Contended> out = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    int size = r < warmups ? warmN : m;
                    for (int i = 0; i < ps.size(); i++) {
                        awaitPermit(ready, "ready");
                    }
                    v.set(0);
                    long t0 = System.nanoTime();
                    go.release();
                    go.release();
                    for (int i = 0; i < ps.size(); i++) {
                        awaitPermit(done, "done");
                    }
                    long t1 = System.nanoTime();
                    if (r >= warmups) {
                        out.add(new Contended(2.0 * size / ((t1 - t0) / 1e9), v.get(), 2L * size));
                    }
                }
                for (Process p : ps) {
                    p.join(Duration.ofSeconds(30));
                    if (p.exitCode() == null || p.exitCode() != 0) {
                        throw new IllegalStateException(p + " ended with exit code " + p.exitCode());
                    }
                }
                return out;
            } finally {
                for (Process p : ps) {
                    if (p.isAlive()) {
                        p.kill();
                        p.join();
                    }
                }
            }
        }
    }

    private static void incrementRounds(IntValue v, int n, int warmN, int warmups, int rounds, Semaphore ready,
                                        Semaphore go, Semaphore done) {
        try {
            RLock lock = v.getLock();
            for (int r = 0; r < rounds; r++) {
                int size = r < warmups ? warmN : n;
                ready.release();
                go.acquire();
                for (int i = 0; i < size; i++) {
                    lock.acquire();
                    v.set(v.get() + 1);
                    lock.release();
                }
                done.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("incrementing child interrupted", e);
        }
    }

    private static void incrementChild(IntValue v, int n, Semaphore ready, Event go, Semaphore done) {
        try {
            RLock lock = v.getLock();
            ready.release();
            go.await();
            for (int i = 0; i < n; i++) {
                lock.acquire();
                v.set(v.get() + 1);
                lock.release();
            }
            done.release();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("incrementing child interrupted", e);
        }
    }

    private static Contended contendedThreads(int m) throws Exception {
        LockedCounter c = new LockedCounter();
        java.util.concurrent.Semaphore ready = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ts.add(Thread.ofPlatform().name("incr-" + i).start(() -> {
                try {
                    ready.release();
                    go.await();
                    for (int k = 0; k < m; k++) {
                        c.lock.lock();
                        c.value = c.value + 1;
                        c.lock.unlock();
                    }
                    done.release();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        ready.acquire(2);
        long t0 = System.nanoTime();
        go.countDown();
        done.acquire(2);
        long t1 = System.nanoTime();
        for (Thread t : ts) {
            t.join();
        }
        c.lock.lock();
        try {
            return new Contended(2.0 * m / ((t1 - t0) / 1e9), c.value, 2L * m);
        } finally {
            c.lock.unlock();
        }
    }

    /** Acquires {@code s}, failing instead of hanging if a child died before releasing it. */
    static void awaitPermit(Semaphore s, String what) throws InterruptedException {
        if (!s.acquire(CHILD_TIMEOUT)) {
            throw new IllegalStateException("no child released '" + what + "' within " + CHILD_TIMEOUT);
        }
    }

    private static void check(long count, int expected) {
        if (count != expected) {
            throw new IllegalStateException("counted " + count + " increments, expected " + expected);
        }
    }
}
