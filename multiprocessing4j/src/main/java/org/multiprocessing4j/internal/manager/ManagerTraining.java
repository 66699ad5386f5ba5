package org.multiprocessing4j.internal.manager;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.multiprocessing4j.internal.conn.Authenticated;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * Runs a manager and one client of it inside this JVM, briefly: for the child JVM that trains the AOT cache,
 * so that a manager process starts (binds its socket, accepts, authenticates, sets up a shared-memory
 * connection, dispatches calls) from linked, already-loaded classes, and a client's first call is cheap.
 * Best effort: failures are ignored; the socket file is removed.
 */
public final class ManagerTraining {
    private ManagerTraining() {
    }

    /** Serves on a fresh Unix socket of this process tree, calls it from here a few hundred times, stops. */
    public static void exercise() {
        Path socket = ProcessTree.treeDirectory().resolve("manager-training-" + HexFormat.of().formatHex(Nonces.next(8)) + ".sock");
        try (ManagerHost host = ManagerHost.start(UnixDomainSocketAddress.of(socket), Authenticated.treeAuthkey(), false,
                Map.of(), Map.of(), ManagerHost.DEFAULT_MAX_MESSAGE_BYTES)) {
            ManagerLink.of(host.address(), null).warmUp();
        } catch (Exception | LinkageError ignored) {
            // training only
        }
    }
}
