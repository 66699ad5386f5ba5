package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * The 0700 directory that holds a process tree's runtime files (rendezvous sockets now; ring files and
 * lock words later). One per root process: {@code <base>/tree-<rootPid>-<rootStartMillis>}.
 *
 * <p>The base is {@link org.multiprocessing4j.internal.Configuration#runtimeBase()}; made 0700 when missing, and
 * refused when it exists but is not private to this user (see {@link #checkPrivate}). The root removes its tree directory at normal exit; trees
 * whose root died without cleaning up (SIGKILL) are swept when the next root creates its own.
 */
public final class RuntimeDirectory {
    private static final Pattern TREE = Pattern.compile("tree-(\\d+)-(\\d+)");

    private RuntimeDirectory() {
    }

    /** The base folder under which every tree directory of this user lives. */
    public static Path base() {
        return Configuration.runtimeBase();
    }

    /**
     * The failure to report when this JVM's runtime directory, or its rendezvous socket in it, cannot be made
     * ({@code problem}, from {@link #createTree} or the socket's bind): a {@link ProcessError}, as every failure to
     * start a child, naming the path, why, and the property that moves the directory.
     */
    public static ProcessError unusable(UncheckedIOException problem) {
        IOException why = problem.getCause();
        return new ProcessError(problem.getMessage() + (why != null ? ": " + why : "") + "; no child process can start."
                + " Set -D" + Configuration.RUNTIME_DIR + " to a writable directory with a short path (a Unix-domain socket path"
                + " holds at most 107 bytes)", problem);
    }

    /** Creates this JVM's tree directory (0700), sweeping dead trees first. */
    public static Path createTree() {
        Path base = base();
        ProcessHandle self = ProcessHandle.current();
        Path tree = base.resolve("tree-" + self.pid() + "-" + startMillis(self).orElse(0L));
        for (int attempt = 1; ; attempt++) {
            try {
                createPrivateDirectory(base);
                sweepDeadTrees(base);
                createPrivateDirectory(tree);
                return tree;
            } catch (NoSuchFileException raced) {
                if (attempt == 3) { // another root removed the empty base between our two steps, thrice
                    throw new UncheckedIOException("cannot create the runtime directory " + tree, raced);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the runtime directory under " + base, e);
            }
        }
    }

    /**
     * Deletes {@code tree} and everything in it, then the base folder if that is now empty; failures are
     * ignored (a later sweep retries).
     */
    public static void deleteTree(Path tree) {
        deleteRecursively(tree);
        try {
            Files.deleteIfExists(tree.getParent()); // only succeeds when no other tree lives there
        } catch (IOException notEmpty) {
            // other trees are alive
        }
    }

    private static void deleteRecursively(Path tree) {
        try (Stream<Path> walk = Files.walk(tree)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Removes tree directories under {@code base} whose root process is gone. */
    public static void sweepDeadTrees(Path base) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, "tree-*")) {
            for (Path entry : entries) {
                Matcher m = TREE.matcher(entry.getFileName().toString());
                if (m.matches() && !isAlive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                    deleteRecursively(entry);
                }
            }
        }
    }

    /** True if a process with this pid and start time still runs (a reused pid does not count). */
    public static boolean isAlive(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> startMillis(h).map(s -> s == startMillis).orElse(true))
                .orElse(false);
    }

    static Optional<Long> startMillis(ProcessHandle handle) {
        return ProcessStamp.startMillis(handle);
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            checkPrivate(dir);
        }
    }

    /**
     * Refuses a directory that existed already unless it is this user's and nobody else may write it: the
     * default base has a predictable name in the world-writable temporary directory, so another user can make
     * it first (or a symbolic link by that name), and whoever may write a directory can rename our 0700 tree
     * directory in it away and put one of their own under its name, where our sockets would then be bound.
     *
     * @throws FileSystemException naming the owner and mode, if the directory (or the link by its name) is not private
     */
    private static void checkPrivate(Path dir) throws IOException {
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // NOTE: this JVM's uid
        Object linkOwner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> target = Files.readAttributes(dir, "unix:uid,mode");
        int mode = (Integer) target.get("mode");
        if (!linkOwner.equals(self) || !target.get("uid").equals(self) || (mode & 0022) != 0) {
            throw new FileSystemException(dir.toString(), null, String.format(
                    "exists and is not private to this user (uid %s): owned by uid %s%s, mode %o; remove it, or set -D%s"
                            + " to a directory of this user that nobody else may write",
                    self, target.get("uid"), linkOwner.equals(target.get("uid")) ? "" : " through a link owned by uid "
                            + linkOwner, mode & 07777, Configuration.RUNTIME_DIR));
        }
    }
}
