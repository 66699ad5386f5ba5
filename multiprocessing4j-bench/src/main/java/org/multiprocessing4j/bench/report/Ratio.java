package org.multiprocessing4j.bench.report;

import java.util.OptionalDouble;
import java.util.Set;

/**
 * The Java-versus-CPython ratio of two figures in the same unit, oriented so that {@code > 1} means
 * Java is better: for durations ({@code ns}, {@code us}, {@code ms}, {@code s}, also per item such as
 * {@code us/op}) it is cpython / java; for rates (any unit ending in {@code /s}: {@code tasks/s},
 * {@code MB/s}, {@code msgs/s}, {@code ops/s}) and for {@code x} (speed-up) and {@code fraction}
 * (efficiency) it is java / cpython. Other units ({@code fact}, CPU counts) have no ratio. Stateless.
 */
public final class Ratio {

    /** Which way a unit improves. */
    public enum Better {
        /** Smaller is better: durations. */
        LOWER,
        /** Larger is better: rates, speed-ups, efficiencies. */
        HIGHER,
        /** Not a performance figure, or an unknown unit: no ratio. */
        NONE
    }

    private static final Set<String> TIME = Set.of("ns", "us", "µs", "ms", "s");
    private static final Set<String> HIGHER_PLAIN = Set.of("x", "fraction");

    private Ratio() {
    }

    /** Which way {@code unit} improves. */
    public static Better better(String unit) {
        if (unit == null || unit.isEmpty()) return Better.NONE;
        if (unit.endsWith("/s")) return Better.HIGHER;
        if (HIGHER_PLAIN.contains(unit)) return Better.HIGHER;
        int slash = unit.indexOf('/');
        return TIME.contains(slash < 0 ? unit : unit.substring(0, slash)) ? Better.LOWER : Better.NONE;
    }

    /**
     * How many times better Java is; empty if the units differ, the unit has no direction, or a value
     * is not positive and finite.
     */
    public static OptionalDouble javaBetterBy(String javaUnit, double java, String cpythonUnit, double cpython) {
        if (!javaUnit.equals(cpythonUnit) || !(java > 0) || !(cpython > 0)
                || Double.isInfinite(java) || Double.isInfinite(cpython)) {
            return OptionalDouble.empty();
        }
        return switch (better(javaUnit)) {
            case LOWER -> OptionalDouble.of(cpython / java);
            case HIGHER -> OptionalDouble.of(java / cpython);
            case NONE -> OptionalDouble.empty();
        };
    }
}
