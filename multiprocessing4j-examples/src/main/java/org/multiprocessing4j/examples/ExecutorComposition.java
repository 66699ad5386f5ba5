package org.multiprocessing4j.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.ProcessPoolExecutor;

/**
 * {@link ProcessPoolExecutor} with {@link CompletableFuture} composition: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}, whose {@code submit} here returns a
 * {@code CompletableFuture}, so the usual Java combinators work on work done in other JVMs.
 *
 * <ol>
 *   <li>{@code thenCombine}: two halves of a range counted in two workers, added when both are in.</li>
 *   <li>{@code allOf}: the same range in eight blocks, gathered into a list once all are done (and
 *       checked against step 1).</li>
 *   <li>{@code thenCompose}: a task submitted with the result of another: the count of primes below
 *       {@code limit} is {@code k}, so the {@code k}-th prime is the largest prime below {@code limit}.</li>
 *   <li>{@code handle}: a task that throws; its exception comes back with its own type
 *       ({@link NumberFormatException} here) and the chain recovers from it.</li>
 * </ol>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.ExecutorComposition [limit]
 * </pre>
 *
 * <p>Where the code runs: the lambdas given to {@code submit} run in a worker JVM, so they must be
 * serializable (they are: {@code submit} takes a {@code SerializableCallable}) and capture only
 * serializable values. The functions given to {@code thenCombine}, {@code thenApply}, {@code handle}...
 * run in this JVM, on the thread that completes the future (one of the executor's own threads): keep them
 * short, or use the {@code ...Async} forms for heavy work on this side.
 */
public final class ExecutorComposition {
    private ExecutorComposition() {
    }

    /** The answers of the four steps. */
    record Report(long primesBelowLimit, List<Long> blockCounts, long largestPrimeBelowLimit, String recovered,
                  PoolStats stats) {
    }

    public static void main(String[] args) throws Exception {
        int limit = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        run(System.out, limit, 2);
    }

    /** Runs the four steps over primes below {@code limit} with {@code workers} worker JVMs. */
    static Report run(PrintStream out, int limit, int workers) throws InterruptedException, ExecutionException {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(workers)) {
            // 1. thenCombine: both tasks are submitted at once and run in parallel in two workers.
            int half = limit / 2;
            CompletableFuture<Long> low = ex.submit(() -> Primes.count(0, half));
            CompletableFuture<Long> high = ex.submit(() -> Primes.count(half, limit));
            CompletableFuture<Long> total = low.thenCombine(high, Long::sum);

            // 2. allOf: fan out eight blocks, then gather their results in block order.
            int blocks = 8;
            List<CompletableFuture<Long>> parts = IntStream.range(0, blocks)
                    .mapToObj(b -> ex.submit(() -> Primes.count(blockStart(b, blocks, limit), blockStart(b + 1, blocks, limit))))
                    .toList();
            CompletableFuture<List<Long>> gathered = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(done -> parts.stream().map(CompletableFuture::join).toList()); // join: already done

            // 3. thenCompose: the second task needs the first one's answer, so it is submitted when that
            // arrives. The inner lambda captures k (a Long): that is what travels to the worker.
            CompletableFuture<Long> largest = total.thenCompose(k -> ex.submit(() -> nthPrime(k)));

            // 4. handle: the exception of a failed task, with its original type, as a value of the chain.
            CompletableFuture<String> recovered = ex.submit(() -> Integer.parseInt("forty-two"))
                    .handle((value, error) -> error == null ? "parsed " + value
                            : "recovered from " + unwrap(error).getClass().getSimpleName() + ": " + unwrap(error).getMessage());

            // get() waits for the whole chain; a failure anywhere would throw ExecutionException here.
            out.printf("thenCombine: %,d primes below %,d (%,d + %,d)%n", total.get(), limit, low.get(), high.get());
            out.printf("allOf:       %d blocks %s, sum %,d%n", blocks, gathered.get(),
                    gathered.get().stream().mapToLong(Long::longValue).sum());
            out.printf("thenCompose: the %,d-th prime, the largest below %,d, is %,d%n", total.get(), limit, largest.get());
            out.printf("handle:      %s%n", recovered.get());
            PoolStats stats = ex.stats();
            out.printf("%d tasks completed, %d failed, by %d worker JVMs%n", stats.tasksCompleted(), stats.tasksFailed(), workers);
            return new Report(total.get(), gathered.get(), largest.get(), recovered.get(), stats);
        }
    }

    /** The start of block {@code b} of {@code blocks} equal blocks of {@code [0, limit)}. */
    private static int blockStart(int b, int blocks, int limit) {
        return (int) ((long) limit * b / blocks);
    }

    /** The {@code n}-th prime (the first is 2): plain trial division, enough work to be worth a worker. */
    static long nthPrime(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        long found = 0;
        for (int k = 2; ; k++) {
            if (Primes.count(k, k + 1) == 1 && ++found == n) {
                return k;
            }
        }
    }

    /** A dependent stage sees a failure wrapped in {@link CompletionException}; the task's own exception is inside. */
    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
