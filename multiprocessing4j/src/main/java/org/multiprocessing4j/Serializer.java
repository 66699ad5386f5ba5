package org.multiprocessing4j;

import java.io.IOException;

/**
 * The object codec that carries targets, arguments, results and exceptions between JVMs.
 *
 * <p>Primitives, {@code String}, {@code byte[]} and primitive arrays never reach a {@code Serializer}: the
 * wire layer writes them by hand. So are the JDK's common lists ({@code ArrayList}, {@code List.of},
 * {@code Arrays.asList}, unmodifiable lists: received as an {@code ArrayList} or an unmodifiable list),
 * map entries, and serializable lambdas; values inside those that the wire layer does not know reach the
 * {@code Serializer}, and so does such a container as a whole when writing it by hand could give a
 * different result (an object shared twice, for instance). Everything else reaches the {@code Serializer}. The default is JDK serialization; a context may
 * choose another codec with {@link Context.Builder#serializer(Class)}, for example one that ships objects
 * whose classes are not {@link java.io.Serializable} (as the {@code multiprocess}/dill package does for
 * Python).
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>a public no-argument constructor: each child JVM makes its own instance from the class name;</li>
 *   <li>thread-safe: one instance serves every thread of a JVM;</li>
 *   <li>{@link #toBytes} fails with an {@link IOException} naming the class that cannot be written
 *       (the caller turns it into an {@link IllegalArgumentException}); it never returns partial data;</li>
 *   <li>{@link #fromBytes} resolves classes through {@code loader}, and the object it returns does not refer to
 *       {@code data}: the caller reuses that buffer for the next message.</li>
 * </ul>
 * After the authkey handshake the peer is trusted, as with pickle; implementations should still refuse
 * classes they were not asked to handle where the codec allows a filter.
 */
public interface Serializer {

    /**
     * Encodes {@code object} (which may be {@code null}). Never blocks on anything but the caller's CPU.
     *
     * @param object the object to encode (may be {@code null})
     * @return the encoded bytes
     * @throws IOException if the object cannot be encoded (e.g. a class the codec refuses)
     */
    byte[] toBytes(Object object) throws IOException;

    /**
     * Decodes what {@link #toBytes} wrote, resolving classes with {@code loader}.
     *
     * @param data the buffer holding the encoded object
     * @param offset the index of its first byte in {@code data}
     * @param length the number of bytes of the encoded object
     * @param loader the class loader that resolves the classes named in the data
     * @return the decoded object (may be {@code null})
     * @throws IOException if the bytes cannot be decoded
     * @throws ClassNotFoundException if a class named in the data cannot be loaded
     */
    Object fromBytes(byte[] data, int offset, int length, ClassLoader loader) throws IOException, ClassNotFoundException;

    /**
     * Pays this codec's one-time costs (class loading, code generation) ahead of the first real message.
     * Called while a child JVM boots and while a standby JVM waits, never on a latency path.
     */
    default void warmUp() {
    }
}
