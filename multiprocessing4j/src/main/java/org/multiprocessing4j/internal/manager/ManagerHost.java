package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.multiprocessing4j.Namespace;

/**
 * A running manager in this JVM: its {@link ManagerCore} behind a {@link ManagerAcceptor}. Used by the
 * manager process that {@code Manager.start()} spawns and, in the user's own JVM, by
 * {@code ManagerServer}. Thread-safe.
 */
public final class ManagerHost implements AutoCloseable {
    /** Default limit on one request frame after authentication. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 << 20;

    private final ManagerCore core;
    private final ManagerAcceptor acceptor;

    private ManagerHost(ManagerCore core, ManagerAcceptor acceptor) {
        this.core = core;
        this.acceptor = acceptor;
    }

    /**
     * Binds {@code bind} and starts serving.
     *
     * @param embedKey whether proxy handles carry {@code authkey} (a manager given its own key), so that
     *                 processes outside this process tree can use them
     * @param types    interfaces {@code create} can make, with their factories (the built-in dict, list and
     *                 namespace are added)
     * @param named    objects registered by name for {@code get}: name → supplier and the one interface
     *                 exposed (null: any interface the object implements)
     */
    public static ManagerHost start(SocketAddress bind, byte[] authkey, boolean embedKey, Map<Class<?>, Supplier<?>> types,
            Map<String, Map.Entry<Supplier<?>, Class<?>>> named, int maxMessageBytes) throws IOException {
        Map<String, ManagerCore.TypeEntry> allTypes = new LinkedHashMap<>(builtIns());
        types.forEach((type, factory) -> allTypes.put(type.getName(), new ManagerCore.TypeEntry(type, factory, initial -> {
            throw new IllegalArgumentException("a registered type takes no initial value");
        })));
        Map<String, ManagerCore.Named> names = new LinkedHashMap<>();
        named.forEach((name, entry) -> names.put(name, new ManagerCore.Named(entry.getKey(), entry.getValue())));
        ManagerAcceptor acceptor = new ManagerAcceptor(bind, authkey, maxMessageBytes);
        ManagerCore core = new ManagerCore(ManagerAddress.format(acceptor.address()), embedKey ? authkey.clone() : null,
                allTypes, names);
        try {
            core.register();
        } catch (RuntimeException e) {
            acceptor.close();
            throw e;
        }
        acceptor.start(core);
        ManagerHost host = new ManagerHost(core, acceptor);
        // A client's SHUTDOWN request stops the whole host, whoever waits for it (or nobody).
        Thread.ofPlatform().daemon().name("mp4j-manager-stop").start(() -> {
            try {
                core.awaitStop();
                host.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return host;
    }

    /** The bound address (with port 0, the real port). */
    public SocketAddress address() {
        return acceptor.address();
    }

    /** Blocks until a client asked the manager to shut down (or {@link #close()} was called). */
    public void awaitShutdownRequest() throws InterruptedException {
        core.awaitStop();
    }

    /** Objects served now. */
    public int objectCount() {
        return core.objectCount();
    }

    private static Map<String, ManagerCore.TypeEntry> builtIns() {
        Map<String, ManagerCore.TypeEntry> types = new LinkedHashMap<>();
        types.put("dict", new ManagerCore.TypeEntry(ConcurrentMap.class, OrderedConcurrentMap::new,
                initial -> new OrderedConcurrentMap<>((Map<?, ?>) initial)));
        types.put("list", new ManagerCore.TypeEntry(List.class, () -> Collections.synchronizedList(new ArrayList<>()),
                initial -> Collections.synchronizedList(new ArrayList<>((Collection<?>) initial))));
        types.put("namespace", new ManagerCore.TypeEntry(Namespace.class, NamespaceObject::new, initial -> {
            throw new IllegalArgumentException("a namespace takes no initial value");
        }));
        return types;
    }

    @Override
    public synchronized void close() {
        core.stop();
        acceptor.close();
        core.close();
    }
}
