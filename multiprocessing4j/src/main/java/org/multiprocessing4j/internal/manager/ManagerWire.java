package org.multiprocessing4j.internal.manager;

import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.wire.JdkSerializer;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * The manager protocol. Every message is one frame holding an {@code Object[]} encoded by the
 * {@link org.multiprocessing4j.internal.wire.ObjectCodec} (its fast paths carry the opcode, ids, strings,
 * boxed primitives and lambdas without the serializer; other values and proxies go through it).
 *
 * <h2>Connection set-up</h2>
 * A client connects to the manager's socket and both sides prove the authkey (HMAC challenge-response,
 * nothing deserialized before). The client's first frame is {@code [HELLO, session(long), ringEnd]}:
 * {@code session} is a random id the client process uses for all its connections to this manager (the
 * server releases what a session referenced when its last connection ends); {@code ringEnd} is, on a
 * Unix-domain socket, one end of a duplex shared-memory pipe the client created: the server answers
 * {@code [OK, null]} on that pipe and every later frame of this connection travels on it (the socket is
 * then closed). On TCP {@code ringEnd} is null and the socket carries everything.
 *
 * <h2>Requests and replies</h2>
 * One request at a time per connection; each gets exactly one reply, {@code [OK, value]} or
 * {@code [ERROR, throwable bytes (ThrowableCodec)]}.
 * <table>
 *   <caption>Requests</caption>
 *   <tr><th>frame</th><th>reply value</th></tr>
 *   <tr><td>{@code [CALL, id(long), method(int), args(Object[])]}</td><td>the method's result; method -1 is
 *       {@code toString}</td></tr>
 *   <tr><td>{@code [CREATE, type(String), initial]}</td><td>a {@link ProxyHandle} to a new object</td></tr>
 *   <tr><td>{@code [GET, name(String), interface(String)]}</td><td>a {@link ProxyHandle} to a registered object</td></tr>
 *   <tr><td>{@code [MAKE, kind(String), argument]}</td><td>a shared-memory object made by the manager process
 *       (a queue, lock, value...), which travels as its own handle</td></tr>
 *   <tr><td>{@code [RELEASE, ids(long[])]}</td><td>null: the session no longer needs these objects (a
 *       client sends it, before its next request, for objects it created whose proxies all became
 *       unreachable and whose handles never left the process)</td></tr>
 *   <tr><td>{@code [SHUTDOWN]}</td><td>null, then the manager stops</td></tr>
 *   <tr><td>{@code [PING]}</td><td>the number of objects served (an int)</td></tr>
 * </table>
 */
final class ManagerWire {
    static final int HELLO = 0;
    static final int CALL = 1;
    static final int CREATE = 2;
    static final int GET = 3;
    static final int MAKE = 4;
    static final int RELEASE = 5;
    static final int SHUTDOWN = 6;
    static final int PING = 7;

    static final int OK = 0;
    static final int ERROR = 1;

    /** Method index that asks for the object's {@code toString()}. */
    static final int TO_STRING = -1;

    /** The largest HELLO frame a server reads. */
    static final int MAX_HELLO_BYTES = 64 * 1024;

    private ManagerWire() {
    }

    /**
     * The codec of every manager frame, on both sides: this library's fast paths plus JDK serialization,
     * whatever serializer a context names (so a manager and its clients always agree, and a manager process
     * need not build a default context to talk).
     */
    static ObjectCodec codec() {
        return DefaultCodec.of(JdkSerializer.class.getName());
    }
}
