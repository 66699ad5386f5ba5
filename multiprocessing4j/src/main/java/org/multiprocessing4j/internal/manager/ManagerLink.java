package org.multiprocessing4j.internal.manager;

import java.net.SocketAddress;
import java.util.Objects;
import org.multiprocessing4j.ProcessExecutionException;

/**
 * This process's handle on one manager, for the public {@code Manager} and {@code RemoteManager}: makes
 * proxies, shared objects, and asks the manager to stop. Every method throws
 * {@link org.multiprocessing4j.ManagerUnavailableException} if the manager cannot be reached, and rethrows
 * what the manager threw (its original type where it is unchecked). Thread-safe.
 */
public final class ManagerLink {
    private final ManagerClient client;

    private ManagerLink(ManagerClient client) {
        this.client = client;
    }

    /** The link to the manager at {@code address}; {@code authkey} null means the process tree's key. */
    public static ManagerLink of(SocketAddress address, byte[] authkey) {
        return new ManagerLink(ManagerClient.of(ManagerAddress.format(Objects.requireNonNull(address, "address")), authkey));
    }

    /** Opens a connection now (and returns it to the pool), so that a wrong key or a dead address fails here. */
    public void check() {
        request(new Object[] {ManagerWire.PING});
    }

    /** A proxy of a new object of the manager's type {@code type} (a built-in name or an interface name). */
    public <T> T create(String type, Class<T> proxyType, Object initial) {
        ProxyHandler handler = (ProxyHandler) request(new Object[] {ManagerWire.CREATE, type, initial});
        client.releaseWhenUnreachable(handler);
        return proxyType.cast(ProxyHandler.proxy(handler));
    }

    /** {@return how many idle connections to the manager this process keeps now} (for tests) */
    public int idleConnections() {
        return client.idleConnections();
    }

    /** {@return the number of objects the manager serves now} */
    public int objectCount() {
        return (Integer) request(new Object[] {ManagerWire.PING});
    }

    /** A proxy of the object registered as {@code name}, implementing {@code type}. */
    public <T> T get(String name, Class<T> type) {
        MethodTable.of(type); // an interface, or IllegalArgumentException now
        return type.cast(proxyOf(request(new Object[] {ManagerWire.GET, name, type.getName()})));
    }

    /** A shared-memory object made (and owned) by the manager process. */
    public Object make(String kind, Object argument) {
        return request(new Object[] {ManagerWire.MAKE, kind, argument});
    }

    /** Asks the manager to stop; it answers first. */
    public void shutdown() {
        try {
            unchecked(() -> client.requestOnce(new Object[] {ManagerWire.SHUTDOWN}));
        } finally {
            close();
        }
    }

    /** In the manager's own JVM: exercises the path a client takes once, so that the first real client finds it warm. */
    public void warmUp() {
        try {
            client.warmUp();
        } catch (Throwable bestEffort) {
            // a warm-up only
        } finally {
            close();
        }
    }

    /** Closes this process's connections to the manager (its session ends when none is left). */
    public void close() {
        ManagerClient.forget(client.address());
    }

    /** A {@code RemoteManager} holds this link open until {@link #release()}. */
    public void retain() {
        client.retain();
    }

    /**
     * A {@code RemoteManager} of this link closed: closes this process's connections as {@link #close()} does,
     * but only once every {@code RemoteManager} of this process connected to the same address and key closed
     * (they share the session: closing it under another, still open, would release the objects it holds).
     */
    public void release() {
        if (client.releaseUser()) {
            client.forgetThis(); // NOTE: not close(): a client of this address with another key (a failed connect) is not this one
        }
    }

    public String address() {
        return client.address();
    }

    private static Object proxyOf(Object handler) {
        return ProxyHandler.proxy((ProxyHandler) handler);
    }

    private Object request(Object[] frame) {
        return unchecked(() -> client.request(frame));
    }

    /** A request to the manager, which may throw whatever the manager threw. */
    private interface Request {
        Object send() throws Throwable;
    }

    /** Sends {@code request}, rethrowing unchecked failures as they are and wrapping checked ones. */
    private Object unchecked(Request request) {
        try {
            return request.send();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            throw ProxyHandler.interrupted("waiting for the manager at " + client.address(), e);
        } catch (Throwable t) {
            throw new ProcessExecutionException("the manager at " + client.address() + " failed: " + t, t);
        }
    }
}
