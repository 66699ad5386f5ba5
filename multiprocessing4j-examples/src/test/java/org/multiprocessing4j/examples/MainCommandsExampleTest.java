package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs each example's {@code main} the way its README tells a user to: {@code java
 * --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.X [args]} in a JVM of its own.
 * Beyond the other tests (which call the examples' {@code run} methods here), this checks the argument
 * handling, that the program prints its summary, and that its JVM exits by itself with status 0 when
 * {@code main} returns (no thread of an example or of the library keeps it alive).
 */
class MainCommandsExampleTest extends ExampleTestBase {
    /**
     * Bound that turns a hang of a whole program into a failure; never a timing goal. Longer than {@link #HANG}:
     * a program starts many JVMs one after another, and the Demo (some 20 JVMs, a 2 s task timeout run out)
     * was still printing its step 5 after 60 s on a 2-vCPU machine busy with other builds.
     */
    private static final Duration PROGRAM_HANG = Duration.ofMinutes(5);

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Thumbnails          | 6       | 6 thumbnails
            FetchFanOut         | 6 2     | 7 results (6 OK)
            ProducerConsumer    | 20      | 40 results
            MonteCarloPi        | 2000000 | of 4,000,000 darts inside: pi ~ 3.14
            ExecutorComposition | 200000  | handle:      recovered from NumberFormatException
            RunawayTask         | 1000    | 3. afterwards map(x -> x * x) gave [1, 4, 9, 16, 25]
            SharedCounters      | 300 2   | shared counts equal the parent's own count
            JobServer           | 12 2    | 12 results in the server's map
            Demo                |         | is 210 (1 + ... + 20: no update lost)
            """)
    void theExampleRunsFromTheCommandLineAndItsJvmExitsByItself(String example, String args, String expected,
                                                                @TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.multiprocessing4j.examples." + example));
        if (args != null) {
            command.addAll(List.of(args.split(" ")));
        }
        Path log = dir.resolve("output.txt");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!java.waitFor(PROGRAM_HANG.toSeconds(), TimeUnit.SECONDS)) {
                fail("java " + example + " did not exit within " + PROGRAM_HANG + "; output:\n" + read(log));
            }
        } finally {
            java.destroyForcibly(); // only if it hangs: its worker JVMs end with it
            java.waitFor();
        }
        String output = read(log);
        out.print(output);
        assertEquals(0, java.exitValue(), output);
        assertTrue(output.contains(expected), "expected \"" + expected + "\" in:\n" + output);
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
