package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program run as {@code java Hello.java} (source-file mode: its classes are compiled in memory) cannot give
 * a child JVM its own classes: a {@code Process} target is refused at {@code start()} and a pool task fails
 * with a message that says why and what to do, instead of a bare {@code ClassNotFoundException} in the child.
 */
class SourceFileLaunchTest extends ChildProcessTestBase {
    private static final String PROGRAM = """
            public class Hello {
                public static void main(String[] args) throws Exception {
                    try {
                        new org.multiprocessing4j.Process(() -> System.out.println("ran in a child")).start();
                        System.out.println("PROCESS started");
                    } catch (IllegalArgumentException e) {
                        System.out.println("PROCESS " + e.getMessage());
                    }
                    try (org.multiprocessing4j.Pool pool = new org.multiprocessing4j.Pool(1)) {
                        System.out.println("POOL " + pool.apply(() -> 42));
                    } catch (org.multiprocessing4j.ProcessError e) {
                        System.out.println("POOL " + e.getMessage());
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void classes_compiled_in_memory_are_refused_or_reported_with_the_reason() throws Exception {
        Path source = dir.resolve("Hello.java");
        Files.writeString(source, PROGRAM, StandardCharsets.UTF_8);
        java.lang.Process hello = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dmultiprocessing4j.runtimeDir=" + dir.resolve("run"),
                "-cp", System.getProperty("java.class.path"), source.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertTrue(hello.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the program did not end");
            List<String> lines = lines(hello);
            assertEquals(0, hello.exitValue(), String.join("\n", lines));
            String process = lines.stream().filter(l -> l.startsWith("PROCESS ")).findFirst().orElse("no PROCESS line: " + lines);
            assertTrue(process.contains("a lambda of Hello") && process.contains("java Hello.java"), process);
            String pool = lines.stream().filter(l -> l.startsWith("POOL ")).findFirst().orElse("no POOL line: " + lines);
            assertTrue(pool.contains("class Hello is not on its class path") && pool.contains("java Hello.java"), pool);
        } finally {
            hello.destroyForcibly();
            hello.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static List<String> lines(java.lang.Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
