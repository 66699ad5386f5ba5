package org.multiprocessing4j.internal.manager;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a manager proxy is on the wire: the manager's address, the object's id there, and the interface
 * the proxy implements. Decoding one (its {@code readResolve}) yields the {@link ProxyHandler} that a
 * proxy of this process calls through: inside the manager that serves the address, a handler that calls
 * the object directly; anywhere else, one that calls the manager over this process's connections to it.
 * Decoding opens no connection: that happens at the first call.
 *
 * @param address the manager's address ({@link ManagerAddress} form)
 * @param authkey the key to connect with, or null for the process tree's authkey (a local manager's);
 *                a manager given its own key embeds it, so processes outside the tree can use the proxy
 * @param id      the object's id in that manager
 * @param type    the name of the interface the proxy implements
 */
record ProxyHandle(String address, byte[] authkey, long id, String type) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    ProxyHandle {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
    }

    @Serial
    Object readResolve() throws ObjectStreamException {
        return ProxyHandler.resolve(this);
    }

    /** Same manager and object. */
    boolean sameObject(ProxyHandle other) {
        return id == other.id && address.equals(other.address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyHandle h && sameObject(h) && type.equals(h.type) && Arrays.equals(authkey, h.authkey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return type + "#" + id + "@" + address;
    }
}
