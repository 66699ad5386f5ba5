package org.multiprocessing4j.internal.manager;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.multiprocessing4j.AuthenticationException;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.conn.Authenticated;
import org.multiprocessing4j.internal.conn.Dial;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * This process's side of one manager: a pool of connections to it and the session id they share. One
 * instance per manager address and key in a process ({@link #of}).
 *
 * <p>Connections: a calling thread takes an idle connection (or opens one) for the whole request and reply,
 * then returns it, so threads never wait for each other's calls (a call that blocks in the manager, such
 * as a registered queue's {@code take}, holds only its own connection); at most {@link #MAX_IDLE} are kept
 * idle, the rest closed as they come back. To a local manager a connection is
 * a shared-memory pipe set up over its Unix-domain socket (see {@link ManagerWire}); to a remote one, the
 * TCP socket itself. A connection that failed or was interrupted mid-call is closed, never reused.
 *
 * <p>Session: the manager keeps this process's objects while the session has a connection. Besides the
 * calling connections, the session holds one idle plain-socket <i>lifeline</i>, opened with the first
 * connection and never used for a call, so that closing a calling connection (an interrupted call, a reply
 * over the manager's size limit) does not end the session and release the objects this process holds;
 * only {@link #closeConnections()} or the process's end does.
 *
 * <p>Failures: nothing listening, a connection that ends (EOF: the manager process died or shut down) or
 * breaks → {@link ManagerUnavailableException}; the ring notices a dead manager within one futex slice
 * (tens of ms), a socket at once. Thread-safe.
 */
final class ManagerClient {
    private static final ConcurrentMap<String, ManagerClient> CLIENTS = new ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create(r -> Thread.ofPlatform().daemon().name("mp4j-manager-cleaner").unstarted(r));
    /** Bytes of ring per direction of a local manager connection; longer messages stream through. */
    static final int RING_BYTES = 256 * 1024;
    /** How long a call that got no reply watches the lifeline for the manager's end before blaming the request. */
    private static final Duration LIFELINE_GRACE = Duration.ofMillis(200);

    private final String address;
    private final byte[] authkey;
    private final long session = new SecureRandom().nextLong();
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    /** Idle connections kept at most; one returned beyond this is closed (see {@link #giveBack}). */
    static final int MAX_IDLE = 8;
    /** About {@code idle.size()} (a deque's size is a walk); off by a few while threads race, harmlessly. */
    private final AtomicInteger idleCount = new AtomicInteger();
    /** The manager address this thread encodes a request to now, or null (see {@link #escapes}). */
    private static final ThreadLocal<String> REQUESTING = new ThreadLocal<>();
    /** Open {@code RemoteManager}s of this client (see {@link #retain()}). */
    private final AtomicInteger users = new AtomicInteger();
    /** Connections of this client being opened at once, at most (see {@link #open()}). */
    private static final int DIALS_AT_ONCE = 4;
    private final Semaphore dialing = new Semaphore(DIALS_AT_ONCE);
    private final ObjectCodec codec = ManagerWire.codec();
    /** Objects this process created whose proxies all became unreachable: released with the next request. */
    private final ConcurrentLinkedQueue<Long> releasable = new ConcurrentLinkedQueue<>();
    /** Objects whose handle left this process (sent or captured): never released from here. */
    private final Set<Long> escaped = ConcurrentHashMap.newKeySet();
    /**
     * How many handlers (proxies) of each object this process created are reachable: the one {@code create}
     * returned, and those decoded here since (a reply naming it: {@code dict.get(k)} of a list stored there).
     * The object is released when the last goes, not when the first does.
     */
    private final ConcurrentMap<Long, Integer> liveHandlers = new ConcurrentHashMap<>();
    private final ThrowableCodec throwables = new ThrowableCodec(codec);
    /** The session's idle connection (see the class doc), or null before the first connection. Guarded by this. */
    private Connection lifeline;

    private ManagerClient(String address, byte[] authkey) {
        this.address = address;
        this.authkey = authkey;
    }

    /** The client of the manager at {@code address}, connecting with {@code authkey} (null: the tree's). */
    static ManagerClient of(String address, byte[] authkey) {
        String key = authkey == null ? address : address + "#" + HexFormat.of().formatHex(authkey);
        return CLIENTS.computeIfAbsent(key, k -> new ManagerClient(address, authkey == null ? null : authkey.clone()));
    }

    /** Forgets the client of {@code address} and closes its connections (the manager shut down). */
    static void forget(String address) {
        CLIENTS.entrySet().removeIf(e -> {
            if (e.getValue().address.equals(address)) {
                e.getValue().closeConnections();
                return true;
            }
            return false;
        });
    }

    /** Forgets this client and closes its connections (its last {@code RemoteManager} closed): not others of its address. */
    void forgetThis() {
        CLIENTS.values().removeIf(c -> c == this);
        closeConnections();
    }

    String address() {
        return address;
    }

    /** A {@code RemoteManager} uses this client: its session lasts at least until that one {@link #releaseUser()}s. */
    void retain() {
        users.incrementAndGet();
    }

    /** A {@code RemoteManager} of this client closed; {@return true if it was the last open one} */
    boolean releaseUser() {
        return users.decrementAndGet() <= 0;
    }

    /** A handler for {@code handle}'s object calling through this client. */
    ProxyHandler handler(ProxyHandle handle) {
        MethodTable table;
        try {
            table = MethodTable.of(Class.forName(handle.type(), false, loader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("the proxy's interface " + handle.type() + " is not on this process's class path", e);
        }
        long id = handle.id();
        ProxyHandler handler = new ProxyHandler(handle, (index, args) -> request(new Object[] {ManagerWire.CALL, id, index, args}),
                table, this::escapes);
        // NOTE: another proxy of an object this process created (a stored list got back from a dict): the object
        // must outlive this one too, not only the proxy create returned (it was released with that one)
        boolean tracked = liveHandlers.computeIfPresent(id, (k, n) -> n + 1) != null;
        if (!tracked && releasable.remove(id)) {
            // its last proxy went a moment ago, and the release is not sent yet: it is not, now
            liveHandlers.merge(id, 1, Integer::sum);
            tracked = true;
        }
        if (tracked) {
            CLEANER.register(handler, () -> unreachable(id));
        }
        return handler;
    }

    /**
     * A handle of this manager's is being serialized: it escapes this process unless it goes to this manager
     * in a request (an argument or a value to store there: the manager keeps what it stores itself).
     */
    private void escapes(long id) {
        if (!address.equals(REQUESTING.get())) {
            escaped.add(id);
        }
    }

    /**
     * Releases the new object behind {@code handler} in the manager once the handler (its proxy) and every
     * handler of it decoded here since (see {@link #handler}) are unreachable, unless its handle left this
     * process meanwhile. Only for objects this process created.
     */
    void releaseWhenUnreachable(ProxyHandler handler) {
        long id = handler.handle().id();
        liveHandlers.merge(id, 1, Integer::sum);
        CLEANER.register(handler, () -> unreachable(id));
    }

    /** A handler of {@code id} (an object this process created) became unreachable: the last one releases it. */
    private void unreachable(long id) {
        if (liveHandlers.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null) == null && !escaped.contains(id)) {
            releasable.add(id);
        }
    }

    /**
     * Sends {@code frame} and returns the reply's value, or throws what the manager threw.
     *
     * @throws InterruptedException if interrupted while waiting (the connection is dropped; the manager then
     *         interrupts the call once it sees that, see {@link AbandonedCalls}: what the call did before
     *         stays done, and a result it produced is lost)
     * @throws ManagerUnavailableException if the manager cannot be reached or went away during the call
     */
    Object request(Object[] frame) throws Throwable {
        byte[] bytes;
        REQUESTING.set(address);
        try {
            bytes = codec.encode(frame, "a call to the manager at " + address);
        } finally {
            REQUESTING.remove();
        }
        Connection connection = takeIdle();
        if (connection == null) {
            connection = open();
        }
        byte[] reply;
        try {
            // NOTE: inside the try: an interrupt during the releases closes the connection too (it leaked)
            if (!releasable.isEmpty()) {
                sendReleases(connection);
            }
            connection.sendBytes(bytes);
            reply = connection.recvBytes();
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw gone(whyNoReply(bytes.length, e), e);
        } catch (InterruptedException e) {
            connection.close();
            throw e;
        } catch (Error e) {
            connection.close();
            throw e;
        }
        giveBack(connection);
        return valueOf(reply);
    }

    /** The value of a reply frame, or throws what the manager threw. */
    private Object valueOf(byte[] reply) throws Throwable {
        Object[] answer;
        try {
            answer = (Object[]) codec.decode(reply, loader());
        } catch (IOException | ClassCastException e) {
            throw new ProcessError("garbled reply from the manager at " + address + ", or one whose value cannot be decoded here: "
                    + ObjectCodec.describe(e), e);
        } catch (ClassNotFoundException e) {
            // NOTE: not "threw ClassNotFoundException": the call ran in the manager; its reply cannot be read here
            throw new ProcessError("the reply of the manager at " + address + " holds an object of class " + e.getMessage()
                    + ", which is not on this process's class path (the call itself ran in the manager)", e);
        }
        if ((Integer) answer[0] == ManagerWire.OK) {
            return answer[1];
        }
        throw throwables.decode((byte[]) answer[1], loader());
    }

    /**
     * An idle connection that has not reached its end, or null. The manager never writes on an idle
     * connection, so one with something to read has ended (its manager exited; at this address another may
     * serve now, as a server restarted on its port): it is closed, not used, so that the request goes on a
     * fresh connection instead of failing with the dead one.
     */
    private Connection takeIdle() {
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            boolean ended;
            try {
                ended = c.poll();
            } catch (IOException | RuntimeException broken) {
                ended = true;
            }
            if (!ended) {
                return c;
            }
            c.close();
        }
        return null;
    }

    /**
     * Returns {@code connection} to the idle ones, or closes it when {@link #MAX_IDLE} are idle already: a
     * burst of concurrent calls (each holds a connection of its own: a pipe pair and a thread in the manager)
     * would otherwise keep every connection it opened for the rest of the process's life. The session is
     * held by the lifeline, not by these.
     */
    private void giveBack(Connection connection) {
        if (idleCount.incrementAndGet() > MAX_IDLE) {
            idleCount.decrementAndGet();
            connection.close();
        } else {
            idle.offerFirst(connection);
        }
    }

    /** {@return how many idle connections this client keeps now} (for tests) */
    int idleConnections() {
        return idleCount.get();
    }

    /** Sends the pending releases on {@code connection} (best effort: a failure shows in the real request). */
    private void sendReleases(Connection connection) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        Long id;
        while ((id = releasable.poll()) != null) {
            if (!escaped.contains(id)) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        long[] array = ids.stream().mapToLong(Long::longValue).toArray();
        // NOTE: an interrupt here loses these releases (the objects stay held until the session ends): sending
        // them again later could drop a hold this process took meanwhile on the same object
        try {
            connection.sendBytes(codec.encode(new Object[] {ManagerWire.RELEASE, array}, "a manager release"));
            connection.recvBytes();
        } catch (IOException e) {
            // the real request on this connection reports it
        }
    }

    private Connection open() throws InterruptedException {
        // NOTE: a burst of first calls from hundreds of threads (virtual ones) dialed all at once: it overflowed
        // the manager's listen backlog (a virtual thread's non-blocking connect then fails with EAGAIN) and
        // stretched handshakes past their deadline; "the manager is unavailable" while it was not.
        dialing.acquire();
        try {
            Connection returned = takeIdle(); // one may have come back while this thread queued
            if (returned != null) {
                return returned;
            }
            holdSession();
            return connect();
        } finally {
            dialing.release();
        }
    }

    /** Opens the session's lifeline if it has none (see the class doc). */
    private synchronized void holdSession() throws InterruptedException {
        if (lifeline != null) {
            try {
                // NOTE: the manager never writes on it: something to read means end-of-stream (it died, or
                // restarted at this address, which knows no session of ours)
                if (!lifeline.poll()) {
                    return;
                }
            } catch (IOException broken) {
                // replaced below
            }
            lifeline.close();
            lifeline = null;
        }
        lifeline = plainSession(dial());
    }

    /**
     * Why a call got no reply ({@code failure}: what the connection threw): the manager ended, unless the
     * session's lifeline (which the manager's end closes too) stays open a moment longer; then the manager
     * dropped the call's connection itself, which it does to a request over its {@code maxMessageBytes}.
     */
    private synchronized String whyNoReply(int requestBytes, Exception failure) throws InterruptedException {
        try {
            if (lifeline != null && !lifeline.poll(LIFELINE_GRACE)) {
                return "it dropped this call's connection but still runs: it drops a request over its size limit ("
                        + (ManagerHost.DEFAULT_MAX_MESSAGE_BYTES >> 20) + " MiB for a Manager, fixed; maxMessageBytes for a"
                        + " ManagerServer), and this one has " + requestBytes + " bytes (" + failure + ")";
            }
        } catch (IOException broken) {
            // the manager went away
        }
        return failure instanceof EOFException ? "it closed the connection (the manager process exited or was killed)"
                : "the connection broke: " + failure.getMessage();
    }

    /** An authenticated socket to the manager, not yet introduced. */
    private Connection dial() throws InterruptedException {
        byte[] key = authkey != null ? authkey : Authenticated.treeAuthkey();
        try {
            // NOTE: not Client.connect, which waits to be accepted without a limit: a manager that stopped
            // accepting is reported unavailable after the handshake limit (20 s), not waited for
            return Dial.connect(ManagerAddress.parse(address), key, false, codec);
        } catch (AuthenticationException e) {
            throw e;
        } catch (IOException e) {
            throw gone("cannot connect: " + e.getMessage(), e);
        }
    }

    /** Introduces {@code socket} as a plain connection of this session (no shared-memory pipe). */
    private Connection plainSession(Connection socket) throws InterruptedException {
        try {
            socket.sendBytes(codec.encode(new Object[] {ManagerWire.HELLO, session, null}, "a manager hello"));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw gone("the connection broke: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws InterruptedException {
        Connection socket = dial();
        if (!ManagerAddress.isLocal(address)) {
            return plainSession(socket);
        }
        RingConnection[] ends = null;
        try (socket) {
            ends = RingConnection.pair(true, RING_BYTES);
            socket.sendBytes(codec.encode(new Object[] {ManagerWire.HELLO, session, ends[1]}, "a manager hello"));
            byte[] ok = ends[0].recvBytes(ManagerWire.MAX_HELLO_BYTES);
            Object[] answer = (Object[]) codec.decode(ok, loader());
            if ((Integer) answer[0] != ManagerWire.OK) {
                throw new IOException("the manager refused the connection");
            }
            return ends[0];
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            closeQuietly(ends);
            throw gone("cannot set up a connection: " + e, e);
        } catch (InterruptedException e) {
            closeQuietly(ends);
            throw e;
        }
    }

    private static void closeQuietly(RingConnection[] ends) {
        if (ends != null) {
            ends[0].close();
            ends[1].close();
            ends[0].unlinkRings();
        }
    }

    /**
     * Exercises this JVM's whole path to the manager once (connection set-up, a created dict, a put and a
     * get, the release), then closes the connection: run in the manager's own JVM, in the background, so
     * that the first real client does not pay the manager's first-use costs (class loading, JIT,
     * deserialization, the shared-memory mapping).
     */
    void warmUp() throws Throwable {
        ManagerCore core = ManagerCore.serving(address);
        if (core == null) {
            return;
        }
        // NOTE: made directly, not by a CREATE: a CREATE's reply, decoded here in the manager's own JVM, would give
        // a handler that calls the object directly, and leave the object held by this JVM's session.
        long id = core.addWarmUpDict();
        MethodTable table = MethodTable.of(ConcurrentMap.class);
        int put = table.indexOf(Map.class.getMethod("put", Object.class, Object.class));
        int get = table.indexOf(Map.class.getMethod("get", Object.class));
        for (int i = 0; i < 200; i++) {
            request(new Object[] {ManagerWire.CALL, id, put, new Object[] {"k", i}});
            request(new Object[] {ManagerWire.CALL, id, get, new Object[] {"k"}});
        }
        request(new Object[] {ManagerWire.PING});
        closeConnections(); // the session ends: its hold on the dict goes, and with it the dict
    }

    /**
     * Sends {@code frame} over a fresh plain socket connection (no shared-memory pipe): for a process that
     * has no connection yet and needs one request only, such as a shutdown.
     */
    Object requestOnce(Object[] frame) throws Throwable {
        if (!idle.isEmpty() || !ManagerAddress.isLocal(address)) {
            return request(frame);
        }
        byte[] key = authkey != null ? authkey : Authenticated.treeAuthkey();
        try (Connection socket = Dial.connect(ManagerAddress.parse(address), key, false, codec)) {
            socket.sendBytes(codec.encode(new Object[] {ManagerWire.HELLO, session, null}, "a manager hello"));
            socket.sendBytes(codec.encode(frame, "a call to the manager at " + address));
            byte[] reply = socket.recvBytes();
            return valueOf(reply);
        } catch (AuthenticationException e) {
            throw e;
        } catch (IOException e) {
            throw gone("cannot send a request: " + e.getMessage(), e);
        }
    }

    /**
     * Closes every idle connection and the lifeline: the manager ends this session when its last connection
     * goes, releasing what only this process held.
     */
    void closeConnections() {
        Connection c;
        while ((c = takeIdle()) != null) {
            c.close();
        }
        synchronized (this) {
            if (lifeline != null) {
                lifeline.close();
                lifeline = null;
            }
        }
    }

    private ManagerUnavailableException gone(String why, Exception cause) {
        return new ManagerUnavailableException("the manager at " + address + " is unavailable: " + why, cause);
    }

    static ClassLoader loader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : ManagerClient.class.getClassLoader();
    }
}
