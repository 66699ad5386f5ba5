package org.multiprocessing4j.internal.sync;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;

/** Starts {@link SyncStress} in a fresh JVM with the given weakening and returns its verdict. */
final class SyncStressRuns {
    /** No progress this long is a hang: with the safety net off a lost wake sleeps ten minutes. */
    static final long STALL_MILLIS = 2_000;
    /** Beyond the run's own bounds: the child JVM itself is stuck (startup, exit). */
    private static final long SLACK_MILLIS = 60_000;

    /** What one run printed last and how it ended. */
    record Verdict(int status, String line, long millis) {
        boolean ok() {
            return status == SyncStress.OK;
        }

        boolean hang() {
            return status == SyncStress.HANG;
        }

        boolean corrupt() {
            return status == SyncStress.CORRUPT;
        }

        @Override
        public String toString() {
            return "exit " + status + " after " + millis + " ms: " + line;
        }
    }

    private SyncStressRuns() {
    }

    /** Runs {@code scenario} in a child JVM for up to {@code maxMillis}: mode "threads" or "processes". */
    static Verdict run(String weaken, String scenario, String mode, long maxMillis, long seed)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                "-D" + Configuration.WEAKEN_SYNC + "=" + weaken,
                SyncStress.class.getName(), scenario, mode, Long.toString(maxMillis), Long.toString(STALL_MILLIS),
                Long.toString(seed));
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try {
                out[0] = child.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        if (!child.waitFor(maxMillis + STALL_MILLIS + SLACK_MILLIS, TimeUnit.MILLISECONDS)) {
            child.destroyForcibly().waitFor();
            fail("the stress JVM (" + weaken + ", " + scenario + ", " + mode + ") did not end by itself; killed");
        }
        drain.join();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String text = new String(out[0], StandardCharsets.UTF_8).strip();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        Verdict verdict = new Verdict(child.exitValue(), last, millis);
        System.out.println("[sync stress] " + weaken + ", " + scenario + ", " + mode + ", seed " + seed + ": " + verdict);
        if (!verdict.ok() && !verdict.corrupt() && !verdict.hang()) {
            fail("the stress JVM failed to run: exit " + verdict.status() + "\n" + text);
        }
        return verdict;
    }
}
