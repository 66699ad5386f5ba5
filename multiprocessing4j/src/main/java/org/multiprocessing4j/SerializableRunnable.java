package org.multiprocessing4j;

import java.io.Serializable;

/**
 * A {@link Runnable} that is also {@link Serializable}: the target of a {@link Process}.
 *
 * <p>A lambda written where this type is expected is serializable without a cast, so it can run in a child
 * JVM. Everything it captures travels with it and must be serializable by the context's {@link Serializer}
 * (the default, JDK serialization, needs {@link Serializable}); otherwise the call that ships it fails with
 * an {@link IllegalArgumentException} naming the offending class.
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
