/**
 * Bytes on the wire: the authkey handshake, length-prefixed frames over sockets, and the object codec
 * ({@link org.multiprocessing4j.internal.wire.ObjectCodec}: hand-written fast paths for primitives,
 * strings, arrays, the JDK's common lists and map entries, and serializable lambdas, whose captured values
 * take the same fast paths; a {@link org.multiprocessing4j.Serializer} for everything else; throwables
 * with a fallback when their class cannot be loaded).
 */
package org.multiprocessing4j.internal.wire;
