package org.multiprocessing4j.bench.workloads;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Semaphore;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code sync_pingpong} of {@code shared/bench/python/README.md}: two {@link Semaphore Semaphore(0)}, s1 and
 * s2; a child JVM loops {@code s1.acquire(); s2.release()}, the parent times {@code s1.release();
 * s2.acquire()} round trips. Variant {@code semaphore}: mean µs per round trip over N = 20,000 (3,000);
 * warm-up max(1000, N/10) round trips (as {@code mp_baseline.py}); the child is started untimed, told the
 * total count up front, and joined after the last repetition. The pinned variants are not run (as in
 * {@link PipePingpong}). The {@code threads/semaphore} twin does the same with two
 * {@link java.util.concurrent.Semaphore}s and a thread. Run: {@code ./mvnw -q -Pbench -DskipTests package
 * -Dbench.args="--cpython --only sync_pingpong"}.
 */
public final class SyncPingpong implements Workload {

    /** A semaphore pair's two operations, over our class and the JDK's. */
    private interface Side {
        void release();

        void acquire() throws InterruptedException;
    }

    @Override
    public String name() {
        return "sync_pingpong";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Twins.comparedWithCPython("semaphore");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(20_000, 3_000);
        int warm = Math.max(1000, n / 10);
        int total = warm * Repeat.warmups() + n * Repeat.REPS;
        Map<String, Object> params = Result.params("round_trips_per_rep", n, "pinning", null);
        try (Semaphore s1 = new Semaphore(0); Semaphore s2 = new Semaphore(0)) {
            Process echo = new Process("sem-echo", () -> echo(s1, s2, total));
            echo.start();
            try {
                List<Double> reps = Repeat.measured(n, warm, k -> once(side(s1), side(s2), k));
                echo.join(Duration.ofSeconds(30));
                if (echo.exitCode() == null || echo.exitCode() != 0) {
                    throw new IllegalStateException(echo + " ended with exit code " + echo.exitCode());
                }
                ctx.emit(Result.of(name(), "semaphore", Stats.of(reps), "us", params));
            } finally {
                if (echo.isAlive()) {
                    echo.kill();
                    echo.join();
                }
            }
        }
        java.util.concurrent.Semaphore t1 = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.Semaphore t2 = new java.util.concurrent.Semaphore(0);
        Thread echo = Thread.ofPlatform().name("sem-echo").start(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    t1.acquire();
                    t2.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Double> reps = Repeat.measured(n, warm, k -> once(side(t1), side(t2), k));
        echo.join();
        ctx.emit(Result.of(name(), Twins.PREFIX + "semaphore", Stats.of(reps), "us",
                Result.params("round_trips_per_rep", n, "pinning", null, "semaphore", "java.util.concurrent.Semaphore")));
    }

    private static double once(Side s1, Side s2, int k) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < k; i++) {
            s1.release();
            s2.acquire();
        }
        return (System.nanoTime() - t0) / (double) k / 1e3;
    }

    private static void echo(Semaphore s1, Semaphore s2, int count) {
        try {
            for (int i = 0; i < count; i++) {
                s1.acquire();
                s2.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("echo interrupted", e);
        }
    }

    private static Side side(Semaphore s) {
        return new Side() {
            public void release() {
                s.release();
            }

            public void acquire() throws InterruptedException {
                s.acquire();
            }
        };
    }

    private static Side side(java.util.concurrent.Semaphore s) {
        return new Side() {
            public void release() {
                s.release();
            }

            public void acquire() throws InterruptedException {
                s.acquire();
            }
        };
    }
}
