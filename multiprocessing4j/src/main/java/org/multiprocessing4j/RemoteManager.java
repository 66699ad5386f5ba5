package org.multiprocessing4j;

import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import org.multiprocessing4j.internal.manager.ManagerLink;

/**
 * A connection to a {@link ManagerServer} (Python's {@code BaseManager(address, authkey).connect()}):
 * {@link #get(String, Class)} returns proxies of the objects registered there.
 *
 * <p>Calls travel over TCP (or a Unix-domain socket) to the server, one round trip each; proxies behave as
 * {@link Manager} describes for dict and list proxies (snapshots for iterators and views, serializable
 * functions run in the server). They are serializable handles carrying the server's address and key, so
 * other processes — of this tree or not — can use them. A call when the server is gone throws
 * {@link ManagerUnavailableException}. Thread-safe.
 */
public final class RemoteManager implements AutoCloseable {
    private final ManagerLink link;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RemoteManager(ManagerLink link) {
        this.link = link;
    }

    static RemoteManager connect(SocketAddress address, byte[] authkey) {
        Objects.requireNonNull(address, "address");
        if (Objects.requireNonNull(authkey, "authkey").length == 0) {
            throw new IllegalArgumentException("authkey is empty");
        }
        ManagerLink link = ManagerLink.of(address, authkey.clone());
        link.retain();
        try {
            link.check();
        } catch (RuntimeException | Error e) {
            link.release();
            throw e;
        }
        return new RemoteManager(link);
    }

    /**
     * A proxy of the object registered as {@code name}, implementing interface {@code type}. As a special
     * case, {@code get(name, Queue.class)} gives this library's {@link Queue} type over a registered
     * {@link java.util.concurrent.BlockingQueue}, or over a registered {@link Queue} of this library (served
     * through its {@link Queue#asBlockingQueue()} view), so {@code put}/{@code get} read as in Python.
     *
     * @throws IllegalArgumentException    if nothing is registered as {@code name}, if {@code type} is not an
     *                                     interface or the object does not implement it
     * @throws ManagerUnavailableException if the server is gone
     * @throws IllegalStateException       if this {@code RemoteManager} is closed (connect again)
     * @param <T> the type of the items or of the proxy
     * @param name the name clients use
     * @param type the interface the proxies implement
     * @return a proxy of the object
     */
    @SuppressWarnings("unchecked")
    public <T> T get(String name, Class<T> type) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (closed.get()) {
            // NOTE: the link's client is forgotten once closed: a request on it would open a session that no close
            // could end, holding what it got in the server until this process exits
            throw new IllegalStateException("closed: " + this + " gives no more proxies (Manager.connect again)");
        }
        if (type == Queue.class) {
            return (T) new RemoteQueue<>(link.get(name, BlockingQueue.class));
        }
        return link.get(name, type);
    }

    /**
     * Ends this process's session at the address it connected to, as this process's exit would: those
     * connections close, and the objects only that session held a proxy of are released there (objects
     * registered by name live on with their registrant; get a new proxy after connecting again). Proxies of
     * objects still held by another process reconnect if used again. Proxies whose handles name another
     * address of the same server (one listening on a wildcard address and connected to by host name) keep
     * a session of their own until this process exits. Another {@code RemoteManager} of this process still
     * open at the same address (and key) shares the session: it ends when the last of them closes, so that
     * closing one never breaks the proxies of another. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            link.release();
        }
    }

    @Override
    public String toString() {
        return "RemoteManager[" + link.address() + "]";
    }
}
