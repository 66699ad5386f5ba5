package org.multiprocessing4j.bench.codec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The payloads multiprocessing4j sends through its object codec, each with a check that a decoded copy
 * is equivalent to the original (a benchmark that measures a codec producing wrong objects measures
 * nothing). Build an instance with {@link #build()} outside any timed region.
 */
enum Payload {
    INTEGER("Integer"),
    STRING_40("String40"),
    LAMBDA("lambda"),
    RECORD_5("record5"),
    EXCEPTION("exception"),
    LIST_1000("List1000"),
    MAP_100("Map100");

    /** The functional interface a task arrives as: a {@code Runnable} the codec may ship. */
    interface SerializableRunnable extends Runnable, Serializable {
    }

    /** A small value type as an argument or result would be. */
    record Order(long id, String customer, int quantity, double price, boolean express) implements Serializable {
    }

    /** Where the shipped lambda leaves its result, so a decoded lambda can be run and checked. */
    static volatile String lambdaResult;

    /** Frames on the stack of the benchmark's exception, counted from {@code Thread.run}/{@code main}. */
    static final int EXCEPTION_FRAMES = 20;

    private final String label;

    Payload(String label) {
        this.label = label;
    }

    /** The name used in the table and the JSON lines. */
    String label() {
        return label;
    }

    /** Parses a {@link #label()}. */
    static Payload of(String label) {
        for (Payload p : values()) {
            if (p.label.equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown payload: " + label + " " + Arrays.toString(values()));
    }

    /** A fresh instance of this payload. */
    Object build() {
        return switch (this) {
            case INTEGER -> Integer.valueOf(123_456_789);
            case STRING_40 -> "multiprocessing4j ships this string: 40c";
            case LAMBDA -> capturingLambda(42, "answer=");
            case RECORD_5 -> new Order(1_234_567L, "ACME Corp", 17, 99.95, true);
            case EXCEPTION -> exceptionWithDepth(EXCEPTION_FRAMES);
            case LIST_1000 -> {
                List<Integer> list = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    list.add(i * 7);
                }
                yield list;
            }
            case MAP_100 -> {
                Map<String, Integer> map = new HashMap<>();
                for (int i = 0; i < 100; i++) {
                    map.put("key-" + i, i);
                }
                yield map;
            }
        };
    }

    /** Throws if {@code copy} is not an equivalent of {@code original}. */
    void check(Object original, Object copy) {
        boolean ok = switch (this) {
            case LAMBDA -> {
                lambdaResult = null;
                ((Runnable) copy).run();
                String got = lambdaResult;
                ((Runnable) original).run();
                yield got != null && got.equals(lambdaResult) && copy instanceof SerializableRunnable;
            }
            case EXCEPTION -> sameThrowable((Throwable) original, (Throwable) copy)
                    && sameThrowable(((Throwable) original).getCause(), ((Throwable) copy).getCause());
            default -> Objects.equals(original, copy);
        };
        if (!ok) {
            throw new IllegalStateException(label + ": decoded copy differs from the original: " + copy);
        }
    }

    private static boolean sameThrowable(Throwable a, Throwable b) {
        return b != null && a.getClass() == b.getClass() && Objects.equals(a.getMessage(), b.getMessage())
                && b.getStackTrace().length > 0 && Arrays.equals(a.getStackTrace(), b.getStackTrace());
    }

    private static SerializableRunnable capturingLambda(int n, String prefix) {
        return () -> lambdaResult = prefix + n;
    }

    /** An exception (with a cause) thrown {@code frames} deep, as a failed task would report it. */
    private static RuntimeException exceptionWithDepth(int frames) {
        int depth = StackWalker.getInstance().walk(s -> (int) s.count());
        if (depth < frames) {
            return exceptionWithDepth(frames);
        }
        try {
            throw new IllegalStateException("root cause: connection reset by peer");
        } catch (IllegalStateException cause) {
            return new RuntimeException("task 17 failed", cause);
        }
    }
}
