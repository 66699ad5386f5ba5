package org.multiprocessing4j.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of the measured repetitions of one figure: median (the line's {@code value}), min, max
 * and their count. Immutable.
 *
 * @param median the median ({@link Percentiles#median})
 * @param min    the smallest sample
 * @param max    the largest sample
 * @param count  the number of samples (the line's {@code reps})
 */
public record Stats(double median, double min, double max, int count) {

    /**
     * Summarises {@code samples} (not modified).
     *
     * @throws IllegalArgumentException if there are no samples
     */
    public static Stats of(double... samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return new Stats(Percentiles.median(s), s[0], s[s.length - 1], s.length);
    }

    /** Summarises boxed samples, e.g. the list {@link Repeat#measured} returns. */
    public static Stats of(List<? extends Number> samples) {
        return of(samples.stream().mapToDouble(Number::doubleValue).toArray());
    }
}
