package org.multiprocessing4j.internal.remote;

import java.util.Arrays;
import java.util.function.Function;

/**
 * How a map that other processes reach (a manager's dict, a cluster's) tells that the value a caller gives
 * is the value it holds, when a caller only ever has copies of it. Stateless; thread-safe.
 *
 * <p>Implementation note: for a value whose class compares by identity (an array, a class keeping Object's
 * {@code equals}), {@code equals} never holds between two copies: {@code replace(k, d.get(k), v)} and
 * {@code remove(k, d.get(k))} always failed, and ConcurrentMap's default {@code compute}/{@code merge}/
 * {@code replaceAll} (retry loops over them, which a proxy runs in the caller for a plain lambda) never
 * ended. The encoding is what each copy was made from, so two of the same class with the same encoding stand
 * for the identity a local map compares.
 */
public final class CopiedValues {
    private CopiedValues() {
    }

    /**
     * Whether {@code current} (the stored value, or null) is the value {@code given}: equal (as
     * {@code current.equals(given)}), or, for a class that compares by identity, of the same class and
     * encoding ({@code encode} failing counts as different).
     */
    public static boolean match(Object current, Object given, Function<Object, byte[]> encode) {
        if (current == null) {
            return false;
        }
        if (current.equals(given)) {
            return true;
        }
        if (given == null || current.getClass() != given.getClass() || !comparesByIdentity(current.getClass())) {
            return false;
        }
        try {
            return Arrays.equals(encode.apply(current), encode.apply(given));
        } catch (RuntimeException cannotEncode) {
            return false;
        }
    }

    /** Whether {@code type}'s instances are equal only to themselves: an array, or a class keeping Object's {@code equals}. */
    static boolean comparesByIdentity(Class<?> type) {
        if (type.isArray()) {
            return true;
        }
        try {
            return type.getMethod("equals", Object.class).getDeclaringClass() == Object.class;
        } catch (NoSuchMethodException impossible) {
            return false;
        }
    }
}
