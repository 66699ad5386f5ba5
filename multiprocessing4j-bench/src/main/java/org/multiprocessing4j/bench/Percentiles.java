package org.multiprocessing4j.bench;

/**
 * Order statistics used by the workloads, defined as in {@code mp_baseline.py}. Stateless.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * Nearest-rank percentile of an already sorted array: element {@code max(0, ceil(p/100 * n) - 1)}.
     * {@code p = 50} of {1, 2, 3, 4} is 2; {@code p = 99} of 100 values is the 99th.
     *
     * @throws IllegalArgumentException if {@code sorted} is empty or {@code p} is outside [0, 100]
     */
    public static double nearestRank(double[] sorted, double p) {
        return sorted[index(sorted.length, p)];
    }

    /** {@link #nearestRank(double[], double)} for {@code long} samples (e.g. nanosecond durations). */
    public static long nearestRank(long[] sorted, double p) {
        return sorted[index(sorted.length, p)];
    }

    /**
     * Median of an already sorted array, as Python's {@code statistics.median}: the middle element,
     * or the mean of the two middle elements when the length is even.
     *
     * @throws IllegalArgumentException if {@code sorted} is empty
     */
    public static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) throw new IllegalArgumentException("median of no samples");
        return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int index(int n, double p) {
        if (n == 0) throw new IllegalArgumentException("percentile of no samples");
        if (!(p >= 0 && p <= 100)) throw new IllegalArgumentException("percentile out of [0, 100]: " + p);
        return Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1);
    }
}
