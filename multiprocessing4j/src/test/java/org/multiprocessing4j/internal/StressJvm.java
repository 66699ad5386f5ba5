package org.multiprocessing4j.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one stress program ({@code RingStress}, {@code SyncStress}, {@code QueueStress}) in a fresh JVM with a
 * weakening property set, and reads its verdict: the exit status (each program exits {@link #OK},
 * {@link #CORRUPT} or {@link #HANG}) and the last line it printed. Any other exit, or a JVM that does not end
 * within its time, fails the calling test.
 */
public final class StressJvm {
    /** The exit status of a run that saw nothing wrong. */
    public static final int OK = 0;
    /** The exit status of a run that saw a torn message or two holders. */
    public static final int CORRUPT = 2;
    /** The exit status of a run in which a party made no progress for its stall limit. */
    public static final int HANG = 3;

    /**
     * What one run printed last and how it ended.
     *
     * @param status the exit status
     * @param line   the last line the program printed
     * @param millis how long the JVM ran
     */
    public record Verdict(int status, String line, long millis) {
        public boolean ok() {
            return status == OK;
        }

        public boolean hang() {
            return status == HANG;
        }

        public boolean corrupt() {
            return status == CORRUPT;
        }

        @Override
        public String toString() {
            return "exit " + status + " after " + millis + " ms: " + line;
        }
    }

    private StressJvm() {
    }

    /**
     * Runs {@code main} with {@code args} in a child JVM on this test's class path, with the system property
     * {@code weakenProperty} set to {@code weaken}; prints and returns its verdict.
     *
     * @param label         for the printed line and failures, e.g. {@code "[ring stress] no-safety-net, threads, seed 1"}
     * @param timeoutMillis how long the JVM may run before it is killed and the test fails
     */
    public static Verdict run(String label, String weakenProperty, String weaken, Class<?> main, long timeoutMillis, String... args)
            throws IOException, InterruptedException {
        return run(label, List.of(), weakenProperty, weaken, main, timeoutMillis, args);
    }

    /** As {@link #run(String, String, String, Class, long, String...)}, with more JVM options for the child. */
    public static Verdict run(String label, List<String> jvmOptions, String weakenProperty, String weaken, Class<?> main,
            long timeoutMillis, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("mp4j.test.javaHome", System.getProperty("java.home")), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-D" + weakenProperty + "=" + weaken, main.getName()));
        command.addAll(List.of(args));
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
        if (!child.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            child.destroyForcibly().waitFor();
            fail("the stress JVM " + label + " did not end by itself; killed");
        }
        drain.join();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String text = new String(out[0], StandardCharsets.UTF_8).strip();
        Verdict verdict = new Verdict(child.exitValue(), text.substring(text.lastIndexOf('\n') + 1), millis);
        System.out.println(label + ": " + verdict);
        if (!verdict.ok() && !verdict.corrupt() && !verdict.hang()) {
            fail("the stress JVM " + label + " failed to run: exit " + verdict.status() + "\n" + text);
        }
        return verdict;
    }
}
