package org.multiprocessing4j;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link java.util.function.Supplier} that is also {@link Serializable}.
 *
 * <p>A lambda written where this type is expected is serializable without a cast, so it can run in a child
 * JVM. Everything it captures travels with it and must be serializable by the context's {@link Serializer}
 * (the default, JDK serialization, needs {@link Serializable}); otherwise the call that ships it fails with
 * an {@link IllegalArgumentException} naming the offending class.
 *
 * @param <T> the type of the results supplied
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {
}
