package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.SerializableSupplier;
import org.multiprocessing4j.internal.conn.Authenticated;

/**
 * What the manager process runs ({@code Manager.start()}): serves on a Unix-domain socket in the process
 * tree's runtime directory with the tree's authkey, says "ready" on a pipe, and returns (ending the
 * process) once a client asked it to shut down. If the parent dies first, the process ends with it (as
 * every child does).
 */
public final class ManagerServerMain implements SerializableRunnable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String socketPath;
    private final LinkedHashMap<String, SerializableSupplier<?>> types;
    private final Connection ready;

    /**
     * @param types interface name → factory of the registered types
     * @param ready the sending end of a one-way pipe on which the process says it is serving
     */
    public ManagerServerMain(Path socketPath, Map<String, SerializableSupplier<?>> types, Connection ready) {
        this.socketPath = socketPath.toString();
        this.types = new LinkedHashMap<>(types);
        this.ready = ready;
    }

    @Override
    public void run() {
        Map<Class<?>, Supplier<?>> resolved = new LinkedHashMap<>();
        types.forEach((name, factory) -> {
            try {
                resolved.put(Class.forName(name, false, ManagerClient.loader()), factory);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the manager process cannot load " + name, e);
            }
        });
        try (ManagerHost host = ManagerHost.start(UnixDomainSocketAddress.of(socketPath), Authenticated.treeAuthkey(), false,
                resolved, Map.of(), ManagerHost.DEFAULT_MAX_MESSAGE_BYTES)) {
            ready.send("ready");
            ready.close();
            host.awaitShutdownRequest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
