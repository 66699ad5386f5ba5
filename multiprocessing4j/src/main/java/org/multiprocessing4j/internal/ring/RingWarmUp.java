package org.multiprocessing4j.internal.ring;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * Pays a fresh JVM's first-use costs of the shared-memory path before a real message needs it: FFM's
 * downcall linking for the futex and pidfd calls (measured 100-250 ms in a fresh child, even from the AOT
 * cache) and the mapping of a file. Safe before the JVM knows its place in the process tree: it makes no
 * file in {@code /dev/shm} (names there carry the tree), only a temporary file, unlinked as soon as it is
 * mapped; files left by JVMs killed before that are swept by the next warm-up (their pid is in the name).
 * Best effort: failures are ignored (the real use reports its own).
 */
public final class RingWarmUp {
    private RingWarmUp() {
    }

    /**
     * Also passes messages through a real ring (a {@code /dev/shm} file of this process tree, unlinked at
     * once): for JVMs that already hold their place in the tree, such as the AOT training child, so that
     * the ring's code and its method handles are in the cache.
     */
    public static void ringRoundTrips() {
        run();
        try (SpscRing ring = SpscRing.create(1 << 12)) {
            ring.unlink();
            SpscWriter writer = ring.writer();
            SpscReader reader = ring.reader();
            byte[] message = new byte[64];
            for (int i = 0; i < 256; i++) {
                writer.write(message, 0, message.length);
                reader.read(Duration.ofSeconds(1));
            }
        } catch (Exception | Error bestEffort) {
            // as in run()
        }
    }

    /** Names of warm-up files start with this, then the pid of the JVM that made it and a dash. */
    static final String PREFIX = "mp4j-warm-up-";
    /** A warm-up file of the older name, without a pid, is stale after this long (a warm-up takes a second). */
    private static final Duration STALE_AFTER = Duration.ofMinutes(10);

    /**
     * Deletes warm-up files left in {@code directory} by JVMs killed between making one and unlinking it
     * (a child killed during its boot): those whose pid no longer runs, and those of the older name without
     * a pid once they are {@link #STALE_AFTER} old. Best effort.
     *
     * @return how many it deleted
     */
    static int sweepStaleFiles(Path directory) {
        int deleted = 0;
        // NOTE: a plain name test, not a glob: a glob compiles a regex, a cost a fresh JVM feels
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, RingWarmUp::isWarmUpFile)) {
            for (Path file : files) {
                try {
                    if (isStale(file.getFileName().toString().substring(PREFIX.length()), file) && Files.deleteIfExists(file)) {
                        deleted++;
                    }
                } catch (IOException | RuntimeException ignored) {
                    // another JVM's sweep got there first, or it is not ours to delete
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // an unreadable temp directory: nothing to sweep here
        }
        return deleted;
    }

    private static boolean isWarmUpFile(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(".map");
    }

    /** {@code rest} is the name after the prefix: {@code <pid>-<digits>.map}, or {@code <digits>.map} (older). */
    private static boolean isStale(String rest, Path file) throws IOException {
        int dash = rest.indexOf('-');
        if (dash > 0) {
            long pid = Long.parseLong(rest, 0, dash, 10);
            return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        }
        Instant modified = Files.getLastModifiedTime(file).toInstant();
        return modified.plus(STALE_AFTER).isBefore(Instant.now());
    }

    public static void run() {
        Futex.link();
        try (ProcessWatch self = ProcessWatch.open(ProcessStamp.self())) {
            self.isAlive();
        } catch (RuntimeException | Error bestEffort) {
            // the first real use pays what is left
        }
        Path directory = Path.of(System.getProperty("java.io.tmpdir"));
        Path file = null;
        try {
            file = Files.createTempFile(directory, PREFIX + ProcessHandle.current().pid() + "-", ".map");
            Files.write(file, new byte[4096]);
            try (SharedFile mapped = SharedFile.attach(file)) {
                // NOTE: unlinked at once (the mapping stays): a JVM killed from here on leaves nothing behind
                Files.delete(file);
                file = null;
                mapped.segment().fill((byte) 0);
            }
        } catch (Exception | Error bestEffort) {
            // as above
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temporary file; the OS cleans its temp directory
                }
            }
        }
        sweepStaleFiles(directory); // last: nothing on a message's path waits for it
    }
}
