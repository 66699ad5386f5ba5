package org.multiprocessing4j;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * A {@link java.util.function.BiFunction} that is also {@link Serializable}: the function of {@code starmap}.
 *
 * <p>A lambda written where this type is expected is serializable without a cast, so it can run in a child
 * JVM. Everything it captures travels with it and must be serializable by the context's {@link Serializer}
 * (the default, JDK serialization, needs {@link Serializable}); otherwise the call that ships it fails with
 * an {@link IllegalArgumentException} naming the offending class.
 *
 * @param <A> the type of the first argument
 * @param <B> the type of the second argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends BiFunction<A, B, R>, Serializable {
}
