package org.multiprocessing4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.NoSuchFileException;

/**
 * A JVM that is the root of its own process tree, for the lifetime tests of {@link SharedMemory}.
 * <ul>
 * <li>{@code create <name> [childName]}: creates segment {@code name} (byte 0 = 42), optionally starts a
 *     child that creates {@code childName} and exits without unlinking, prints {@code ready}, then returns
 *     from main (a normal exit) when a line arrives on stdin, or waits there to be killed;
 * <li>{@code touch}: uses shared memory once (which sweeps the segments of ended trees) and exits.
 * </ul>
 */
public final class SharedMemoryRootMain {
    private SharedMemoryRootMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("touch")) {
            try {
                SharedMemory.attach("no-such-segment-" + ProcessHandle.current().pid()).close();
            } catch (NoSuchFileException expected) {
                System.out.println("touched");
            }
            return;
        }
        SharedMemory created = SharedMemory.create(args[1], 4096);
        created.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 42);
        if (args.length > 2) {
            String childName = args[2];
            Process child = new Process(() -> {
                try {
                    SharedMemory.create(childName, 4096).close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            child.start();
            child.join();
            if (child.exitCode() != 0) {
                throw new IllegalStateException("child failed: " + child.exitCode());
            }
        }
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
    }
}
