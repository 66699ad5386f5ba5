package org.multiprocessing4j;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link java.util.concurrent.Callable} that is also {@link Serializable}: a task whose result travels back from another JVM.
 *
 * <p>A lambda written where this type is expected is serializable without a cast, so it can run in a child
 * JVM. Everything it captures travels with it and must be serializable by the context's {@link Serializer}
 * (the default, JDK serialization, needs {@link Serializable}); otherwise the call that ships it fails with
 * an {@link IllegalArgumentException} naming the offending class.
 *
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableCallable<R> extends Callable<R>, Serializable {
}
