package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.SerializableSupplier;
import org.multiprocessing4j.internal.conn.Authenticated;

/**
 * What the manager process runs ({@code Manager.start()}): serves on a Unix-domain socket in the process
 * tree's runtime directory with the tree's authkey (the socket file appears once it accepts, which is how
 * the parent knows it serves), and returns (ending the process) once a client asked it to shut down. If the parent dies first, the process ends with it (as
 * every child does).
 */
public final class ManagerServerMain implements SerializableRunnable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String socketPath;
    private final LinkedHashMap<String, SerializableSupplier<?>> types;

    /**
     * @param socketPath where to serve (the file appears once the manager accepts connections)
     * @param types      interface name → factory of the registered types
     */
    public ManagerServerMain(Path socketPath, Map<String, SerializableSupplier<?>> types) {
        this.socketPath = socketPath.toString();
        this.types = new LinkedHashMap<>(types);
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
            Thread.ofPlatform().daemon().name("mp4j-manager-warm-up")
                    .start(() -> ManagerLink.of(host.address(), null).warmUp());
            host.awaitShutdownRequest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
