package org.multiprocessing4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A parent JVM for the tests of how a {@link ProcessPoolExecutor} meets the end of {@code main}. Arguments:
 * a mode and a file. It prints {@code pid <worker>} once its worker is known, then:
 * <ul>
 *   <li>{@code shutdown}: submits a task that sleeps 1 s and writes {@code done} to the file, calls
 *       {@code shutdown()}, returns from main;</li>
 *   <li>{@code pending}: the same without {@code shutdown()};</li>
 *   <li>{@code stage}: submits a quick task whose future has a stage that sleeps 1 s and then writes
 *       {@code done} to the file, returns from main without {@code shutdown()};</li>
 *   <li>{@code idle}: runs one task to its end, leaves the executor idle and not shut down, returns;</li>
 *   <li>{@code exit}: submits a task that sleeps 1 h and then writes the file, calls {@code System.exit(7)}.</li>
 * </ul>
 */
public final class ExecutorParentMain {
    private ExecutorParentMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String file = args[1];
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        long worker = ex.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
        System.out.println("pid " + worker);
        System.out.flush();
        switch (mode) {
            case "shutdown", "pending" -> {
                ex.submit(() -> writeAfter(file, Duration.ofSeconds(1)));
                if (mode.equals("shutdown")) {
                    ex.shutdown();
                }
            }
            case "stage" -> ex.submit(() -> 1).thenAccept(one -> {
                try {
                    writeAfter(file, Duration.ofSeconds(1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            case "idle" -> {
                // nothing pending: main returns with the executor neither shut down nor busy
            }
            case "exit" -> {
                ex.submit(() -> writeAfter(file, Duration.ofHours(1)));
                System.exit(7);
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static int writeAfter(String file, Duration delay) throws Exception {
        Thread.sleep(delay);
        Files.writeString(Path.of(file), "done");
        return 0;
    }
}
