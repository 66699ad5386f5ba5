package org.multiprocessing4j;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link java.util.function.Function} that is also {@link Serializable}: the function of {@code map}-style calls.
 *
 * <p>A lambda written where this type is expected is serializable without a cast, so it can run in a child
 * JVM. Everything it captures travels with it and must be serializable by the context's {@link Serializer}
 * (the default, JDK serialization, needs {@link Serializable}); otherwise the call that ships it fails with
 * an {@link IllegalArgumentException} naming the offending class.
 *
 * @param <T> the type of the input to the function
 * @param <R> the type of the result of the function
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}
