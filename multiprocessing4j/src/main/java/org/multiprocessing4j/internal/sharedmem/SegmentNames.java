package org.multiprocessing4j.internal.sharedmem;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.ShmNames;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * Names of {@code SharedMemory} segments and where their files live: the segment {@code name} is the file
 * {@code /dev/shm/mp4j-shm-<name>}, so a name is global for the user, as in CPython (whose
 * {@code psm_…} names are {@code /dev/shm/psm_…}); the {@code mp4j-shm-} prefix keeps them apart from
 * CPython's files and from this library's internal ones ({@link ShmNames}). Also which process tree this
 * JVM belongs to, recorded in each segment it creates. Thread-safe, stateless.
 */
public final class SegmentNames {
    /** Every segment file's name starts with this. */
    static final String FILE_PREFIX = ShmNames.PREFIX + "shm-";
    /** Longest name: NAME_MAX (255) less the prefix, rounded down. */
    static final int MAX_LENGTH = 200;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern TREE_DIRECTORY = Pattern.compile("tree-(\\d+)-(\\d+)");

    private SegmentNames() {
    }

    /**
     * The file of segment {@code name}.
     *
     * @throws IllegalArgumentException naming the problem if {@code name} is empty, longer than
     *         {@value #MAX_LENGTH}, starts with a dot, or holds a character other than letters, digits,
     *         {@code _ . -}
     * @throws NullPointerException if {@code name} is null
     */
    static Path path(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a shared memory name must have 1 to " + MAX_LENGTH + " characters: \""
                    + name + "\" has " + name.length());
        }
        if (!VALID.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("a shared memory name may hold only letters, digits, '_', '.' and '-',"
                    + " and may not start with '.': \"" + name + "\"");
        }
        return ShmNames.DIRECTORY.resolve(FILE_PREFIX + name);
    }

    /** The segment name of a file named like a segment, or null. */
    static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.startsWith(FILE_PREFIX) && f.length() > FILE_PREFIX.length() ? f.substring(FILE_PREFIX.length()) : null;
    }

    /** A fresh random name, {@code psm_} and 16 hex digits, like CPython's generated ones. */
    public static String generatedName() {
        return "psm_" + HexFormat.of().formatHex(Nonces.next(8));
    }

    /** {pid, start millis} of the root of this JVM's process tree (this JVM itself when it is the root). */
    static long[] treeRoot() {
        ProcessTree.Self self = ProcessTree.self();
        if (!self.isRoot() && self.treeDirectory() != null) {
            Matcher m = TREE_DIRECTORY.matcher(self.treeDirectory().getFileName().toString());
            if (m.matches()) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        ProcessStamp me = ProcessStamp.self();
        return new long[] {me.pid(), me.startMillis()};
    }
}
