/**
 * Connections over sockets: framed messages on an authenticated {@code SocketChannel} (Unix-domain locally,
 * TCP across machines), the machinery behind {@link org.multiprocessing4j.Listener},
 * {@link org.multiprocessing4j.Client} and {@link org.multiprocessing4j.Connections#waitFor}.
 */
package org.multiprocessing4j.internal.conn;
