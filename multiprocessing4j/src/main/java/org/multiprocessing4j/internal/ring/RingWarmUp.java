package org.multiprocessing4j.internal.ring;

import java.nio.file.Files;
import java.nio.file.Path;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * Pays a fresh JVM's first-use costs of the shared-memory path before a real message needs it: FFM's
 * downcall linking for the futex and pidfd calls (measured 100-250 ms in a fresh child, even from the AOT
 * cache) and the mapping of a file. Safe before the JVM knows its place in the process tree: it makes no
 * file in {@code /dev/shm} (names there carry the tree), only a temporary file that it deletes at once.
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
                reader.read(java.time.Duration.ofSeconds(1));
            }
        } catch (Exception | Error bestEffort) {
            // as in run()
        }
    }

    public static void run() {
        Futex.link();
        try (ProcessWatch self = ProcessWatch.open(ProcessStamp.self())) {
            self.isAlive();
        } catch (RuntimeException | Error bestEffort) {
            // the first real use pays what is left
        }
        Path file = null;
        try {
            file = Files.createTempFile("mp4j-warm-up-", ".map");
            Files.write(file, new byte[4096]);
            try (SharedFile mapped = SharedFile.attach(file)) {
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
    }
}
