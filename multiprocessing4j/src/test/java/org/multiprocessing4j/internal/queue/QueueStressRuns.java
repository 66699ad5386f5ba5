package org.multiprocessing4j.internal.queue;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;

/** Starts {@link QueueStress} in a fresh JVM with the given weakening and returns its verdict. */
final class QueueStressRuns {
    /** No message taken this long is a hang: with the safety net off a lost wake sleeps minutes. */
    static final long STALL_MILLIS = 2_000;
    /** Beyond the run's own bounds: JVM starts and exits, the first-message allowance of QueueStress. */
    private static final long SLACK_MILLIS = 40_000;

    /** What one run printed last and how it ended. */
    record Verdict(int status, String line, long millis) {
        boolean ok() {
            return status == QueueStress.OK;
        }

        boolean hang() {
            return status == QueueStress.HANG;
        }

        boolean corrupt() {
            return status == QueueStress.CORRUPT;
        }

        @Override
        public String toString() {
            return "exit " + status + " after " + millis + " ms: " + line;
        }
    }

    private QueueStressRuns() {
    }

    /** Runs the stress in a child JVM: {@code mode} "threads" or "processes"; producers stop after {@code maxMillis}. */
    static Verdict run(String weaken, String mode, long maxMillis, long seed) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("mp4j.test.javaHome", System.getProperty("java.home")), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                "-D" + Configuration.WEAKEN_QUEUE + "=" + weaken,
                QueueStress.class.getName(), mode, Long.toString(maxMillis), Long.toString(STALL_MILLIS), Long.toString(seed));
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
            fail("the queue stress JVM (" + weaken + ", " + mode + ") did not end by itself; killed");
        }
        drain.join();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String text = new String(out[0], StandardCharsets.UTF_8).strip();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        Verdict verdict = new Verdict(child.exitValue(), last, millis);
        System.out.println("[queue stress] " + weaken + ", " + mode + ", seed " + seed + ": " + verdict);
        if (!verdict.ok() && !verdict.corrupt() && !verdict.hang()) {
            fail("the queue stress JVM failed to run: exit " + verdict.status() + "\n" + text);
        }
        return verdict;
    }
}
