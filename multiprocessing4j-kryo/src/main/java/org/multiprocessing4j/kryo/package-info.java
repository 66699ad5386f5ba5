/**
 * The Kryo codec for multiprocessing4j. {@link org.multiprocessing4j.kryo.KryoSerializer} is the only
 * public type; the rest configures Kryo for it: {@code Mp4jKryo} picks each class's serializer (Kryo's own,
 * or JDK serialization where Kryo would fail or lose data), {@code JdkClasses} says which classes are the
 * platform's (by package name, so the choice is the same in every JVM whatever its {@code --add-opens}
 * flags), {@code SerializationHooks} finds classes with their own serialization methods, and
 * {@code LambdaSerializer} carries serializable lambdas.
 */
package org.multiprocessing4j.kryo;
