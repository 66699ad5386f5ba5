package org.multiprocessing4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The README's repetition rule: {@value #WARMUP} warm-up repetition, discarded, then {@value #REPS}
 * measured ones. Mirrors {@code repeat(fn, n, warm_n)} in {@code mp_baseline.py}: the warm-up may be
 * given a smaller size than the measured repetitions. Runs on the calling thread.
 *
 * <p>The README allows a run with more warm-up for a JIT, reported in addition and labelled as such:
 * {@link #useWarmups(int)} (the harness's {@code --warmups N}) sets how many warm-up repetitions
 * {@link #measured(int, int, Rep)} and the {@code stats} methods run, for the whole run; the {@code meta}
 * line records it. Explicit counts ({@link #measured(int, int, int, int, Rep)}) are not affected.
 */
public final class Repeat {

    /** Warm-up repetitions, discarded. */
    public static final int WARMUP = 1;
    /** Measured repetitions. */
    public static final int REPS = 5;

    private static volatile int warmups = WARMUP;

    /** {@code -Dbench.traceReps=true}: print every repetition's figure to stderr, to see warm-up effects. */
    private static final boolean TRACE = Boolean.getBoolean("bench.traceReps");

    private Repeat() {
    }

    /**
     * One repetition of size {@code n}, returning what it measured (a figure, or a record of several).
     *
     * @param <T> what one repetition measures
     */
    @FunctionalInterface
    public interface Rep<T> {
        /** Runs one repetition of size {@code n}; the timed region is inside. */
        T run(int n) throws Exception;
    }

    /**
     * Sets the warm-up repetitions of this run (default {@value #WARMUP}, the like-for-like figure). Call
     * before any workload runs.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     */
    public static void useWarmups(int count) {
        if (count < 1) throw new IllegalArgumentException("warm-up repetitions must be at least 1, got " + count);
        warmups = count;
    }

    /** The warm-up repetitions of this run: {@value #WARMUP} unless {@link #useWarmups(int)} changed it. */
    public static int warmups() {
        return warmups;
    }

    /** {@link #warmups()} repetitions of size {@code warmN} (discarded), then {@link #REPS} of size {@code n}. */
    public static <T> List<T> measured(int n, int warmN, Rep<T> rep) throws Exception {
        return measured(warmups, REPS, n, warmN, rep);
    }

    /**
     * {@code warmups} repetitions of size {@code warmN} (discarded), then {@code reps} of size {@code n}.
     * For the README's exceptions, e.g. {@code process_start}'s 3 warm-up starts and 30 samples.
     */
    public static <T> List<T> measured(int warmups, int reps, int n, int warmN, Rep<T> rep) throws Exception {
        for (int i = 0; i < warmups; i++) {
            T figure = rep.run(warmN);
            if (TRACE) System.err.println("  warm-up " + (i + 1) + ": " + figure);
        }
        List<T> out = new ArrayList<>(reps);
        for (int i = 0; i < reps; i++) {
            T figure = rep.run(n);
            if (TRACE) System.err.println("  rep " + (i + 1) + ": " + figure);
            out.add(figure);
        }
        return out;
    }

    /** Median / min / max of one figure: {@link #warmups()} warm-ups of size {@code n}, then 5 measured. */
    public static Stats stats(int n, Rep<Double> rep) throws Exception {
        return Stats.of(measured(n, n, rep));
    }

    /** Median / min / max of one figure: {@link #warmups()} warm-ups of size {@code warmN}, then 5 of size {@code n}. */
    public static Stats stats(int n, int warmN, Rep<Double> rep) throws Exception {
        return Stats.of(measured(n, warmN, rep));
    }
}
