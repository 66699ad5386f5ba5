package org.multiprocessing4j.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.multiprocessing4j.LongValue;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Value;

/**
 * Monte Carlo π with processes adding to shared {@link Value}s under a lock: Python's
 * {@code with hits.get_lock(): hits.value += h; thrown.value += n}.
 *
 * <p>Each child JVM throws darts at the unit square and counts those inside the quarter circle; after each
 * batch it adds its counts to two shared {@code long}s, {@code hits} and {@code thrown}. The two must move
 * together (π ≈ 4 × hits / thrown only for a matching pair), so both are updated inside the lock of
 * {@code hits} ({@link Value#ofLong} makes a value with a lock, {@link Value#rawLong} one without; the raw
 * {@code thrown} is guarded by the same lock). While the children work, the parent reads the pair under
 * that lock and prints the estimate so far: it never sees a batch's hits without its throws.
 *
 * <p>Why the lock: {@code v.set(v.get() + h)} is a read and a write; two processes doing it at once can
 * lose an update. For a single counter the lock-free {@code v.getAndAdd(h)} is enough; a lock is for
 * updates of more than one word that must look atomic, as here.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.MonteCarloPi [samplesPerProcess]
 * </pre>
 * Each process uses its own fixed seed, so the result is the same on every run.
 */
public final class MonteCarloPi {
    /** Darts a process throws between two updates of the shared counts. */
    static final int BATCH = 250_000;

    private MonteCarloPi() {
    }

    /** The final shared counts and each child's exit code. */
    record Result(long hits, long thrown, double pi, List<Integer> exitCodes) {
    }

    public static void main(String[] args) throws Exception {
        long samples = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        run(System.out, 2, samples);
    }

    /** Estimates π with {@code processes} child JVMs throwing {@code samplesPerProcess} darts each. */
    static Result run(PrintStream out, int processes, long samplesPerProcess) throws InterruptedException {
        try (LongValue hits = Value.ofLong(0); LongValue thrown = Value.rawLong(0)) {
            List<Process> children = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                long seed = seedOf(i);
                // The lambda captures the two values (handles to the same shared memory) and plain numbers.
                children.add(new Process("darts-" + (i + 1), () -> throwDarts(hits, thrown, seed, samplesPerProcess)));
            }
            children.forEach(Process::start);
            out.printf("%d processes throw %,d darts each, adding to shared counters under hits.getLock()%n",
                    processes, samplesPerProcess);

            long shown = 0;
            for (Process p : children) {
                while (p.isAlive()) {
                    p.join(Duration.ofMillis(200));
                    long[] pair = readPair(hits, thrown);
                    if (pair[1] > shown) {
                        shown = pair[1];
                        out.printf("  so far %,13d darts: pi ~ %.6f%n", pair[1], 4.0 * pair[0] / pair[1]);
                    }
                }
            }
            List<Integer> exitCodes = children.stream().map(Process::exitCode).toList();
            children.forEach(Process::close);

            long[] pair = readPair(hits, thrown);
            double pi = 4.0 * pair[0] / pair[1];
            out.printf("%,d of %,d darts inside: pi ~ %.6f (error %.6f); exit codes %s%n",
                    pair[0], pair[1], pi, Math.abs(pi - Math.PI), exitCodes);
            return new Result(pair[0], pair[1], pi, exitCodes);
        }
    }

    /** Runs in a child JVM: throws {@code samples} darts, adding each batch's counts to the shared pair. */
    private static void throwDarts(LongValue hits, LongValue thrown, long seed, long samples) {
        SplittableRandom random = new SplittableRandom(seed);
        RLock lock = hits.getLock(); // the same lock, in shared memory, in every process
        for (long left = samples; left > 0; ) {
            int n = (int) Math.min(BATCH, left);
            long h = countInside(random, n);
            lock.lock();
            try {
                hits.set(hits.get() + h);
                thrown.set(thrown.get() + n);
            } finally {
                lock.unlock();
            }
            left -= n;
        }
    }

    /** Reads {@code {hits, thrown}} as one consistent pair, under the lock the writers hold. */
    private static long[] readPair(LongValue hits, LongValue thrown) {
        RLock lock = hits.getLock();
        lock.lock();
        try {
            return new long[] {hits.get(), thrown.get()};
        } finally {
            lock.unlock();
        }
    }

    /** Darts of {@code n} that land inside the quarter circle of radius 1. */
    static long countInside(SplittableRandom random, long n) {
        long inside = 0;
        for (long i = 0; i < n; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }

    /** The seed of process {@code i} (from 0). */
    static long seedOf(int i) {
        return 0x5EED_0000L + i;
    }
}
