package org.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.launch.RuntimeDirectory;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * Names of this library's files in {@code /dev/shm}: {@code mp4j-<rootPid>-<rootStartMillis>-<32 hex>}.
 *
 * <p>The prefix {@code mp4j-} makes them ours (leak checks and sweeps look for it); the root process of
 * the tree that made a file is in its name, so a later sweep can tell files of dead trees; 128 random bits
 * make the name unguessable, so another user of this world-writable directory cannot pre-create or open
 * it (files are also created {@code 0600} with {@code O_EXCL}, see {@link SharedFile}).
 *
 * <p>Lifetime: the owner unlinks a file when its last user is gone. As a backstop the root JVM deletes its
 * tree's remaining files at normal exit, and the first root that creates a file sweeps the files of trees
 * whose root is no longer alive (a tree killed by SIGKILL). Thread-safe.
 */
public final class ShmNames {
    /** Where the files live: tmpfs, so a mapping is plain memory. */
    public static final Path DIRECTORY = Path.of("/dev/shm");
    /** Every file of ours starts with this. */
    public static final String PREFIX = "mp4j-";
    private static final Pattern NAME = Pattern.compile("mp4j-(\\d+)-(\\d+)-[0-9a-f]{32}");
    private static final Pattern TREE_DIRECTORY = Pattern.compile("tree-(\\d+)-(\\d+)");

    private ShmNames() {
    }

    /** A fresh, unguessable path for a new file of this process tree. */
    public static Path newPath() {
        return DIRECTORY.resolve(PREFIX + TreeTag.VALUE + "-" + HexFormat.of().formatHex(Nonces.next(16)));
    }

    /**
     * Makes sure this JVM, if it is a tree's root, has swept the files of dead trees (the sweep runs once, when
     * this tree's tag is first needed); for users of shared memory that never make a file of their own.
     */
    public static void sweepOnce() {
        if (TreeTag.VALUE.isEmpty()) {
            throw new AssertionError("no tree tag");
        }
    }

    /** True if {@code file} is named like one of ours. */
    public static boolean isOurs(Path file) {
        return NAME.matcher(file.getFileName().toString()).matches();
    }

    /**
     * Deletes the files in {@code directory} whose tree root is no longer alive; returns how many.
     * Best effort: a file that cannot be deleted is left for the next sweep.
     */
    public static int sweepDeadTrees(Path directory) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*")) {
            for (Path file : files) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (m.matches() && !RuntimeDirectory.isAlive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))
                        && deleted(file)) {
                    removed++;
                }
            }
        } catch (IOException | SecurityException bestEffort) {
            // the directory vanished or cannot be listed: the next sweep retries
        }
        return removed;
    }

    /** Deletes one file; false if it is gone already or not ours to delete (another user's, sticky dir). */
    private static boolean deleted(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException | SecurityException notOurs) {
            return false;
        }
    }

    /** Deletes every file of the tree {@code tag} in {@code directory}; best effort. */
    static void deleteTree(Path directory, String tag) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + tag + "-*")) {
            for (Path file : files) {
                deleted(file);
            }
        } catch (IOException | SecurityException bestEffort) {
            // the next sweep retries
        }
    }

    /** {@code <rootPid>-<rootStartMillis>} of this JVM's tree, fixed on first use. */
    private static final class TreeTag {
        static final String VALUE = compute();

        private static String compute() {
            ProcessTree.Self self = ProcessTree.self();
            if (!self.isRoot() && self.treeDirectory() != null) {
                Matcher m = TREE_DIRECTORY.matcher(self.treeDirectory().getFileName().toString());
                if (m.matches()) {
                    return m.group(1) + "-" + m.group(2);
                }
            }
            ProcessStamp me = ProcessStamp.self();
            String tag = me.pid() + "-" + me.startMillis();
            if (self.isRoot()) {
                sweepDeadTrees(DIRECTORY);
                ExitSequence.add(ExitSequence.Phase.RUNTIME_FILES, () -> deleteTree(DIRECTORY, tag));
            }
            return tag;
        }
    }
}
