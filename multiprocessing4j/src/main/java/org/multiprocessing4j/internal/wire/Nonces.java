package org.multiprocessing4j.internal.wire;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Random bytes for challenges and tokens, read straight from {@code /dev/urandom} (the kernel's CSPRNG)
 * where it exists: a fresh JVM's first {@code new SecureRandom()} costs about 45 ms, which every child
 * would pay before it could run. Elsewhere, {@link SecureRandom}. Thread-safe.
 */
public final class Nonces {
    private static final Path URANDOM = Path.of("/dev/urandom");

    private Nonces() {
    }

    public static byte[] next(int n) {
        byte[] bytes = new byte[n];
        if (Files.isReadable(URANDOM)) {
            try (InputStream in = new FileInputStream(URANDOM.toFile())) {
                if (in.readNBytes(bytes, 0, n) == n) {
                    return bytes;
                }
            } catch (IOException fallBack) {
                // use SecureRandom
            }
        }
        Holder.RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();
    }
}
