package org.multiprocessing4j;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.manager.ManagerHost;

/**
 * A manager served by this JVM for other processes, on this machine or others (Python's
 * {@code BaseManager(address, authkey)} with {@code register(typeid, callable)} and
 * {@code get_server().serve_forever()}): objects registered by name are used by clients through proxies
 * ({@link RemoteManager#get(String, Class)}).
 *
 * <pre>{@code
 * BlockingQueue<String> jobs = new LinkedBlockingQueue<>();
 * try (ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 50000), authkey)
 *         .register("jobs", () -> jobs).start()) {
 *     ...                                  // clients: Manager.connect(address, authkey).get("jobs", BlockingQueue.class)
 * }
 * }</pre>
 *
 * <p>Deviation from Python: {@link #start()} serves from background threads of <em>this</em> JVM (so a
 * supplier may hand out objects this JVM also uses), not from a new process; {@link #serveForever()} serves
 * from the calling thread. Bind to a loopback address unless other machines must connect.
 *
 * <p>Security: every connection must pass the HMAC-SHA256 challenge on {@code authkey} before one byte
 * of it is deserialized; a peer that fails, sends garbage or stalls (over 20 s) is dropped without
 * affecting other clients; after authentication a frame over {@link #maxMessageBytes(int)} closes that
 * connection. Authenticated peers are trusted, as with pickle: they can make this JVM deserialize objects
 * of any class on its class path. Proxy handles of this server carry the key, so a client may pass its
 * proxies on to other processes. Registered objects must be thread-safe: calls from different client
 * connections run concurrently, each on its connection's thread; a call that blocks (a queue's
 * {@code take}) blocks only its own connection.
 *
 * <p>Not thread-safe while registering; thread-safe once started.
 */
public final class ManagerServer implements AutoCloseable {
    private final SocketAddress address;
    private final byte[] authkey;
    private final Map<String, Map.Entry<Supplier<?>, Class<?>>> named = new LinkedHashMap<>();
    private int maxMessageBytes = ManagerHost.DEFAULT_MAX_MESSAGE_BYTES;
    private volatile ManagerHost host;
    /** Set by {@link #close()}: a closed server never starts (again). */
    private volatile boolean closed;

    ManagerServer(SocketAddress address, byte[] authkey) {
        this.address = Objects.requireNonNull(address, "address");
        if (Objects.requireNonNull(authkey, "authkey").length == 0) {
            throw new IllegalArgumentException("authkey is empty");
        }
        this.authkey = authkey.clone();
    }

    /**
     * Registers {@code supplier} as {@code name}: each client {@code get(name, type)} calls it and serves
     * what it returns (the same object each time if it returns the same object) through a proxy of any
     * interface that object implements; a {@link Queue} of this library is served through its
     * {@link Queue#asBlockingQueue()} view, so clients get it with {@code get(name, Queue.class)}.
     *
     * @throws IllegalStateException if the server has started
     * @param name the name clients use
     * @param supplier called for each client {@code get}; what it returns is served
     * @return this server
     */
    public ManagerServer register(String name, Supplier<?> supplier) {
        return register(name, null, supplier);
    }

    /**
     * As {@link #register(String, Supplier)}, but clients may use the object only through {@code type} (or
     * one of its super-interfaces): no other method of the object can be called.
     *
     * @throws IllegalArgumentException if {@code type} is not an interface
     * @param <T> the type of the items or of the proxy
     * @param name the name clients use
     * @param type the interface the proxies implement
     * @param supplier called for each client {@code get}; what it returns is served
     * @return this server
     */
    public <T> ManagerServer register(String name, Class<T> type, Supplier<? extends T> supplier) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(supplier, "supplier");
        if (type != null && !type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface");
        }
        if (host != null) {
            throw new IllegalStateException("register before start()");
        }
        named.put(name, new AbstractMap.SimpleImmutableEntry<>(supplier, type));
        return this;
    }

    /**
     * Largest request frame accepted from an authenticated client in another JVM (default 256 MiB). A larger
     * one closes its connection: that call fails in the client with a {@link ManagerUnavailableException}
     * naming this limit and the request's size, and the client's other calls go on.
     *
     * @param bytes the limit, at least 1024
     * @return largest request frame accepted from an authenticated client (default 256 MiB)
     */
    public ManagerServer maxMessageBytes(int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, not " + bytes);
        }
        this.maxMessageBytes = bytes;
        return this;
    }

    /**
     * Binds the address and serves from background threads; returns at once.
     *
     * @throws IOException           if the address cannot be bound
     * @throws IllegalStateException if already started, or closed
     * @return this server, serving
     */
    public synchronized ManagerServer start() throws IOException {
        if (closed) {
            throw new IllegalStateException("closed: a closed manager server does not start again: " + this);
        }
        if (host != null) {
            throw new IllegalStateException("already started: " + this);
        }
        host = ManagerHost.start(address, authkey, true, Map.of(), named, maxMessageBytes);
        Loggers.MANAGER.log(System.Logger.Level.DEBUG, () -> "manager server serving at " + host.address());
        return this;
    }

    /**
     * Serves until a client asks the server to shut down, {@link #close()} is called, or the thread is
     * interrupted; then closes the server.
     *
     * @throws IOException          if the address cannot be bound
     * @throws IllegalStateException if closed
     * @throws InterruptedException if the calling thread is interrupted (the server is closed)
     */
    public void serveForever() throws IOException, InterruptedException {
        synchronized (this) {
            if (closed) {
                // NOTE: a started server closed since: its host's stop latch is down, so the wait below returned at once
                throw new IllegalStateException("closed: a closed manager server does not serve again: " + this);
            }
            if (host == null) {
                start();
            }
        }
        try {
            host.awaitShutdownRequest();
        } finally {
            close();
        }
    }

    /** {@return the bound address (with port 0, the real port); before {@link #start()}, the requested one.} */
    public SocketAddress address() {
        ManagerHost h = host;
        return h != null ? h.address() : address;
    }

    /** Objects served now (tests). */
    int objectCount() {
        ManagerHost h = host;
        return h == null ? 0 : h.objectCount();
    }

    /** Stops serving: closes the socket and every client connection; a server closed before it started never starts. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        ManagerHost h = host;
        if (h != null) {
            h.close();
            Loggers.MANAGER.log(System.Logger.Level.DEBUG, () -> "manager server at " + h.address() + " closed");
        }
    }

    @Override
    public String toString() {
        return "ManagerServer[" + address() + (host == null ? ", not started]" : "]");
    }
}
