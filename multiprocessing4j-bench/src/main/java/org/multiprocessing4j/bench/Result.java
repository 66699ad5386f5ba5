package org.multiprocessing4j.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One measured figure: a JSON line {@code {"workload", "variant", "value", "unit", "min", "max",
 * "reps", "params", ...extra}} in that order, as {@code emit_stats} prints it in
 * {@code mp_baseline.py}. {@code value}, {@code min} and {@code max} are printed rounded to 6
 * significant digits (Python's {@code float('%.6g' % x)}). Immutable.
 *
 * @param workload the workload name, e.g. {@code pipe_pingpong}
 * @param variant  the variant, e.g. {@code send_bytes_8B/p99}; a JVM-only mechanism gets its own prefix
 * @param value    the median of the measured repetitions
 * @param unit     e.g. {@code ms}, {@code us}, {@code tasks/s}, {@code MB/s}
 * @param min      the smallest measured repetition
 * @param max      the largest measured repetition
 * @param reps     the number of measured repetitions (samples)
 * @param params   sizes and settings, in output order; copied
 * @param extra    further fields printed after {@code params}, in order; copied
 */
public record Result(String workload, String variant, double value, String unit, double min, double max, int reps,
                     Map<String, Object> params, Map<String, Object> extra) {

    private static final MathContext SIX_DIGITS = new MathContext(6, RoundingMode.HALF_EVEN);

    /** Validates and copies the maps. */
    public Result {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(unit, "unit");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A figure summarised by {@code stats}, with no extra fields. */
    public static Result of(String workload, String variant, Stats stats, String unit, Map<String, Object> params) {
        return new Result(workload, variant, stats.median(), unit, stats.min(), stats.max(), stats.count(),
                params, Map.of());
    }

    /** An ordered params map from alternating keys and values: {@code params("N", n, "processes", 2)}. */
    public static Map<String, Object> params(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("odd number of keys and values");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return m;
    }

    /** This result with one more field after {@code params} (or that field replaced). */
    public Result with(String key, Object fieldValue) {
        Map<String, Object> e = new LinkedHashMap<>(extra);
        e.put(key, fieldValue);
        return new Result(workload, variant, value, unit, min, max, reps, params, e);
    }

    /** The JSON line, with {@code value}, {@code min} and {@code max} rounded to 6 significant digits. */
    public Line toLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload);
        m.put("variant", variant);
        m.put("value", round6(value));
        m.put("unit", unit);
        m.put("min", round6(min));
        m.put("max", round6(max));
        m.put("reps", reps);
        m.put("params", params);
        m.putAll(extra);
        return new Line(m);
    }

    /** Python's {@code float('%.6g' % x)}: rounds to 6 significant digits, half to even. */
    public static double round6(double x) {
        if (x == 0 || Double.isNaN(x) || Double.isInfinite(x)) return x;
        return new BigDecimal(x).round(SIX_DIGITS).doubleValue();
    }
}
