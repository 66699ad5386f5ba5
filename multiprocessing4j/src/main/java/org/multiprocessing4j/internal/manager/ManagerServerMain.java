package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.SerializableSupplier;
import org.multiprocessing4j.internal.conn.Authenticated;

/**
 * What the manager process runs ({@code Manager.start()}): serves on a Unix-domain socket in the process
 * tree's runtime directory with the tree's authkey (the socket file appears once it accepts, which is how
 * the parent knows it serves), and returns (ending the process) once a client asked it to shut down. If
 * the parent dies first, the process ends with it (as every child does).
 */
public final class ManagerServerMain {
    /** How long a shutdown waits for the manager's own warm-up, interrupted, to stop before the process ends. */
    private static final Duration WARM_UP_GRACE = Duration.ofSeconds(3);
    private ManagerServerMain() {
    }

    /**
     * The manager process's target. A lambda capturing only a string and two lists of names and factories,
     * so that it reaches the child through the codec's fast paths (no JDK serialization in the child's boot).
     *
     * @param socketPath where to serve (the file appears once the manager accepts connections)
     * @param types      interface name → factory of the registered types
     */
    public static SerializableRunnable target(Path socketPath, Map<String, SerializableSupplier<?>> types) {
        String path = socketPath.toString();
        List<String> names = List.copyOf(types.keySet());
        List<SerializableSupplier<?>> factories = List.copyOf(types.values());
        return () -> serve(path, names, factories);
    }

    private static void serve(String socketPath, List<String> names, List<SerializableSupplier<?>> factories) {
        Map<Class<?>, Supplier<?>> resolved = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                resolved.put(Class.forName(names.get(i), false, ManagerClient.loader()), factories.get(i));
            } catch (ClassNotFoundException e) {
                missing.add(names.get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the manager process cannot load " + missing);
        }
        try (ManagerHost host = ManagerHost.start(UnixDomainSocketAddress.of(socketPath), Authenticated.treeAuthkey(), false,
                resolved, Map.of(), ManagerHost.DEFAULT_MAX_MESSAGE_BYTES)) {
            Thread warmUp = Thread.ofPlatform().daemon().name("mp4j-manager-warm-up")
                    .start(() -> ManagerLink.of(host.address(), null).warmUp());
            host.awaitShutdownRequest();
            // NOTE: a shutdown that comes while the warm-up still talks to the host (a manager closed at once)
            // must not end this JVM in the middle of it, which would leave the shared-memory pipe it was setting
            // up in /dev/shm. Waiting for it to finish was not enough: a cold warm-up on a loaded machine took
            // longer than the grace (CI, ManagerTest.aNullNamespaceAttributeNameIsRefusedSayingSo). Interrupted,
            // it stops at its next wait and removes a pipe no one claimed yet (ManagerClient.connect).
            warmUp.interrupt();
            warmUp.join(WARM_UP_GRACE.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
