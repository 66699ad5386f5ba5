package org.multiprocessing4j.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every system property and environment variable the library reads, in one place (the table of
 * docs/configuration.md lists the same). Read at each call, so a test can set them before first use.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>property</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code multiprocessing4j.runtimeDir}</td><td>base folder of the per-tree runtime directories
 *       (sockets, later shared-memory files)</td><td>{@code $XDG_RUNTIME_DIR/multiprocessing4j}, else
 *       {@code <java.io.tmpdir>/mp4j-<user>}</td></tr>
 *   <tr><td>{@code multiprocessing4j.cacheDir}</td><td>where AOT caches for child JVMs are kept (in
 *       {@code aot/})</td><td>{@code $XDG_CACHE_HOME/multiprocessing4j}, else
 *       {@code ~/.cache/multiprocessing4j}</td></tr>
 *   <tr><td>{@code multiprocessing4j.aotCache}</td><td>{@code false} turns the AOT cache off</td>
 *       <td>on where the class path is all jars</td></tr>
 *   <tr><td>{@code multiprocessing4j.membarrier}</td><td>{@code false}: this process's lock releases keep
 *       their own store→load fence instead of relying on waiters' {@code membarrier(2)} barriers</td>
 *       <td>on where the kernel offers them</td></tr>
 *   <tr><td>{@code multiprocessing4j.lockBias}</td><td>{@code false}: no {@code Lock} is biased to a
 *       thread of this process (each take is a CAS)</td><td>on where this process
 *       receives {@code membarrier(2)} barriers</td></tr>
 *   <tr><td>{@code multiprocessing4j.traceBoot}</td><td>{@code true}: a child prints when each boot
 *       phase ended, relative to its launch</td><td>off</td></tr>
 *   <tr><td>{@value #HANDSHAKE_TIMEOUT}</td><td>tests only: the authkey handshake's limit, in ms</td>
 *       <td>20000</td></tr>
 * </table>
 */
public final class Configuration {
    /** Tests only: the ring protocol weakenings to switch on (see the table above). */
    public static final String WEAKEN_RING = "multiprocessing4j.test.weakenRing";
    /** Tests only: the lock, condition and barrier protocol weakenings to switch on (internal.sync). */
    public static final String WEAKEN_SYNC = "multiprocessing4j.test.weakenSync";
    /** Tests only: the queue protocol weakenings to switch on (internal.queue). */
    public static final String WEAKEN_QUEUE = "multiprocessing4j.test.weakenQueue";

    /** Tests only: the authkey handshake's limit in milliseconds (internal.conn.Authenticated). */
    public static final String HANDSHAKE_TIMEOUT = "multiprocessing4j.test.handshakeTimeoutMs";

    /** The base folder of the per-tree runtime directories (see the table above). */
    public static final String RUNTIME_DIR = "multiprocessing4j.runtimeDir";

    private Configuration() {
    }

    public static Path runtimeBase() {
        String configured = System.getProperty(RUNTIME_DIR);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "multiprocessing4j");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "mp4j-" + System.getProperty("user.name"));
    }

    public static Path cacheBase() {
        String configured = System.getProperty("multiprocessing4j.cacheDir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("multiprocessing4j");
    }

    public static boolean aotCacheEnabled() {
        return !"false".equals(System.getProperty("multiprocessing4j.aotCache"));
    }

    public static boolean membarrierEnabled() {
        return !"false".equals(System.getProperty("multiprocessing4j.membarrier"));
    }

    public static boolean lockBiasEnabled() {
        return !"false".equals(System.getProperty("multiprocessing4j.lockBias"));
    }

    public static boolean traceBoot() {
        return Boolean.getBoolean("multiprocessing4j.traceBoot");
    }

    /**
     * {@value #HANDSHAKE_TIMEOUT} if set, else {@code defaultMillis}.
     *
     * @throws IllegalArgumentException if it is set but not a positive number
     */
    public static long handshakeTimeoutMillis(long defaultMillis) {
        String configured = System.getProperty(HANDSHAKE_TIMEOUT, "");
        if (configured.isBlank()) {
            return defaultMillis;
        }
        try {
            long millis = Long.parseLong(configured.strip());
            if (millis > 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(HANDSHAKE_TIMEOUT + " must be a positive number of milliseconds: '" + configured + "'");
    }

    /**
     * The switches named in {@code property} ({@value #WEAKEN_RING}, {@value #WEAKEN_SYNC} or
     * {@value #WEAKEN_QUEUE}), comma-separated; empty when unset.
     *
     * @throws IllegalArgumentException naming a switch that is not one of {@code known}
     */
    public static Set<String> weakening(String property, Set<String> known) {
        Set<String> on = switches(property);
        for (String s : on) {
            if (!known.contains(s)) {
                throw new IllegalArgumentException(property + ": unknown switch '" + s + "', known: " + known);
            }
        }
        return on;
    }

    private static Set<String> switches(String property) {
        String configured = System.getProperty(property, "");
        Set<String> switches = new TreeSet<>();
        for (String s : configured.split(",")) {
            if (!s.isBlank()) {
                switches.add(s.strip());
            }
        }
        return switches;
    }
}
