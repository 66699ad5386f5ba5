package org.mp4jtest;

import java.time.Duration;
import java.util.Arrays;
import org.multiprocessing4j.Process;

/**
 * A parent JVM shorter than an AOT training (for the launch tests): starts one child, which starts the
 * training of the cache in the background, waits until the training child runs, and returns from main.
 * Prints {@code child-exit=<code> trainer-seen=<true|false>}.
 */
public final class ShortParentMain {
    private ShortParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new Process(() -> { });
        p.start();
        p.join();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            seen = ProcessHandle.current().descendants().anyMatch(
                    d -> d.info().arguments().stream().flatMap(Arrays::stream).anyMatch(a -> a.startsWith("-XX:AOTCacheOutput=")));
            Thread.sleep(20);
        }
        System.out.println("child-exit=" + p.exitCode() + " trainer-seen=" + seen);
    }
}
