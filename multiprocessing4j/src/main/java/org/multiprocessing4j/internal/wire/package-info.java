/**
 * Bytes on the wire: the authkey handshake, length-prefixed frames over sockets, and the object codec
 * (hand-written fast paths for primitives, strings and arrays; a {@link org.multiprocessing4j.Serializer}
 * for everything else; throwables with a fallback when their class cannot be loaded).
 */
package org.multiprocessing4j.internal.wire;
