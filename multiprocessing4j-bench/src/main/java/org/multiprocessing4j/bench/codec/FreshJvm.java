package org.multiprocessing4j.bench.codec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this package in a new JVM and returns its standard output. The child is the
 * same {@code java} as this JVM ({@code ProcessHandle.current().info().command()}), with this JVM's
 * command-line options (so {@code --add-opens} and the like carry over) and {@code java.class.path}.
 * Children run one at a time, so they do not compete with each other for the CPUs.
 */
final class FreshJvm {

    /** A child that has not finished by then is killed and reported as a failure. */
    static final long CHILD_TIMEOUT_SECONDS = 120;

    private FreshJvm() {
    }

    /** Runs {@code main} with {@code args}; returns its output lines (stderr merged in). */
    static List<String> run(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this JVM")));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));

        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        // The child writes little; reading to EOF first cannot deadlock, and EOF means it is exiting.
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("child " + child.pid() + " timed out: " + command);
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args)
                    + " exited " + child.exitValue() + ":\n" + output);
        }
        return output.lines().toList();
    }

    /** First-use nanoseconds of {@code codec} on {@code payload}, measured by {@link FirstUse} in a fresh JVM. */
    static long firstUseNanos(String codec, Payload payload) throws IOException, InterruptedException {
        for (String line : run(FirstUse.class, codec, payload.label())) {
            if (line.startsWith(FirstUse.PREFIX)) {
                return Long.parseLong(line.substring(FirstUse.PREFIX.length()).trim());
            }
        }
        throw new IllegalStateException("FirstUse " + codec + " " + payload.label() + " printed no measurement");
    }
}
