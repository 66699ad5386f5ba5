package org.multiprocessing4j.internal.manager;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * A manager's address in a form that travels inside proxy handles: {@code unix:<path>} or
 * {@code tcp:<host>:<port>}. Equal strings name the same manager.
 */
final class ManagerAddress {
    private ManagerAddress() {
    }

    static String format(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress uds -> "unix:" + uds.getPath();
            case InetSocketAddress inet -> "tcp:" + inet.getHostString() + ":" + inet.getPort();
            default -> throw new IllegalArgumentException("unsupported address type " + address.getClass().getName()
                    + ": use an InetSocketAddress or a UnixDomainSocketAddress");
        };
    }

    static SocketAddress parse(String address) {
        if (address.startsWith("unix:")) {
            return UnixDomainSocketAddress.of(Path.of(address.substring(5)));
        }
        if (address.startsWith("tcp:")) {
            int colon = address.lastIndexOf(':');
            return new InetSocketAddress(address.substring(4, colon), Integer.parseInt(address.substring(colon + 1)));
        }
        throw new IllegalArgumentException("not a manager address: " + address);
    }

    static boolean isLocal(String address) {
        return address.startsWith("unix:");
    }
}
