package org.multiprocessing4j.examples;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ProcessPoolExecutor;
import org.multiprocessing4j.TaskTimeoutException;
import org.multiprocessing4j.WorkerDiedException;

/** The demo's pool part: map with a progress bar, a worker killed mid-task, a runaway task timed out. */
final class PoolDemo {
    private PoolDemo() {
    }

    static void run() throws Exception {
        System.out.println("2. A Pool of two worker JVMs maps a function over 64 ranges (progress bar on stderr):");
        try (Pool pool = Pool.builder().processes(2).progressBar(true).taskTimeout(Duration.ofSeconds(2)).build()) {
            List<Integer> starts = IntStream.range(0, 64).map(i -> i * 25_000).boxed().toList();
            long t0 = System.nanoTime();
            List<Long> counts = pool.map(from -> Primes.count(from, from + 25_000), starts, 4);
            System.out.printf("   %d primes below 1,600,000 in %.0f ms%n", counts.stream().mapToLong(Long::longValue).sum(),
                    (System.nanoTime() - t0) / 1e6);

            AsyncResult<Integer> crash = pool.applyAsync(() -> {
                Runtime.getRuntime().halt(70); // the JVM ends abruptly, as in a native crash
                return 0;
            });
            AsyncResult<Integer> fine = pool.applyAsync(() -> 6 * 7);
            try {
                crash.get();
            } catch (ExecutionException e) {
                WorkerDiedException died = (WorkerDiedException) e.getCause();
                System.out.printf("   a task called Runtime.halt(70), ending its worker JVM at once as a native crash would:%n"
                        + "   only that task failed, with WorkerDiedException (worker pid %d, exit code %d)%n",
                        died.pid(), died.exitCode());
            }
            System.out.println("   the other task still answered: " + fine.get());
            try {
                pool.apply(() -> {
                    while (true) {
                        Thread.onSpinWait();
                    }
                });
            } catch (TaskTimeoutException e) {
                System.out.println("   a runaway task hit the 2 s task timeout; its worker was killed: " + e.getMessage());
            }
            System.out.printf("   the pool healed and kept serving: %s -> %s%n", List.of(1, 2, 3), pool.map(x -> x * x, List.of(1, 2, 3)));
            System.out.println("   " + pool.stats().workerDeaths() + " worker deaths, " + pool.stats().workerRestarts() + " replacements");
        }
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            CompletableFuture<Long> f = ex.submit(() -> Primes.count(0, 100_000));
            System.out.println("   ProcessPoolExecutor (an ExecutorService): " + f.thenApply(n -> n + " primes below 100,000").get());
        }
        System.out.println();
    }
}
