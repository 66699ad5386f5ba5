package org.multiprocessing4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM that a test starts on its own class path, as the root of a process tree of its own (a
 * parent whose death or exit the test observes), with its stderr on the test's and its stdout to read.
 */
final class LaunchedJvm {
    private LaunchedJvm() {
    }

    /** Starts {@code main} with {@code args}, its runtime directory under {@code runtimeBase}. */
    static java.lang.Process start(Path runtimeBase, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dmultiprocessing4j.runtimeDir=" + runtimeBase,
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * The first line {@code jvm} prints that starts with {@code prefix}, waiting at most {@link ChildProcessTestBase#HANG};
     * null if it ended first.
     */
    static String lineStartingWith(java.lang.Process jvm, String prefix) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
        return CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null && !l.startsWith(prefix)) {
                    // skip
                }
                return l;
            } catch (IOException e) {
                return null;
            }
        }).get(ChildProcessTestBase.HANG.toSeconds(), TimeUnit.SECONDS);
    }
}
