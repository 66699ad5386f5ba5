package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures a configuration or a class path causes: each must end in the documented exception,
 * naming what was wrong, never in a hang or a message that leaves the cause out. Classes a child cannot
 * load come from a class compiled here into a directory only a {@link URLClassLoader} of this JVM sees.
 */
class StartFailureCornersTest extends ChildProcessTestBase {
    private static final String FOREIGN = """
            package foreign;
            import org.multiprocessing4j.*;
            public class Foreign {
                public static SerializableRunnable initializer() { return () -> System.setProperty("foreign", "yes"); }
                public static class Data implements java.io.Serializable { public int v = 7; }
                public static Object data() { return new Data(); }
                public static SerializableSupplier<java.util.function.IntSupplier> factory() { return () -> () -> 1; }
            }
            """;

    @TempDir
    static Path compiled;
    private static ClassLoader foreign;

    @BeforeAll
    static void compileAClassChildrenCannotLoad() throws Exception {
        Path source = compiled.resolve("src/foreign/Foreign.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, FOREIGN);
        Path classes = Files.createDirectories(compiled.resolve("classes"));
        java.lang.Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), source.toString()).inheritIO().start();
        assertTrue(javac.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "javac ended");
        assertEquals(0, javac.exitValue(), "javac status");
        foreign = new URLClassLoader(new URL[] {classes.toUri().toURL()}, StartFailureCornersTest.class.getClassLoader());
    }

    private static Object call(String method) throws Exception {
        return foreign.loadClass("foreign.Foreign").getMethod(method).invoke(null);
    }

    private static String chain(Throwable t) {
        StringBuilder messages = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            messages.append(c).append('\n');
        }
        return messages.toString();
    }

    @Test
    void a_pool_initializer_of_a_class_children_cannot_load_breaks_the_pool_at_once_naming_the_class() throws Exception {
        // NOTE: it failed the worker's whole process object: the JVM exited 1 before READY, three such deaths broke
        // the pool, and its exception named no class (with inheritIO(false) nothing anywhere did)
        Context quiet = Context.builder().inheritIO(false).build();
        SerializableRunnable ofAForeignClass = (SerializableRunnable) call("initializer");
        Object data = call("data");
        SerializableRunnable capturingAForeignObject = () -> System.setProperty("foreign", String.valueOf(data.hashCode()));
        for (SerializableRunnable initializer : List.of(ofAForeignClass, capturingAForeignObject)) {
            try (Pool pool = Pool.builder().context(quiet).processes(1).initializer(initializer).build()) {
                BrokenProcessPoolException broken = assertThrows(BrokenProcessPoolException.class, () -> pool.apply(() -> 1));
                String why = chain(broken);
                assertTrue(why.contains("class foreign.Foreign") && why.contains("is not on its class path"), why);
                assertEquals(1, pool.stats().workerDeaths(), "broken at the first worker: " + pool.stats());
            }
        }
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().context(quiet).maxWorkers(1).initializer(ofAForeignClass).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> executor.submit(() -> 1).get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(BrokenProcessPoolException.class, e.getCause());
            assertTrue(chain(e).contains("class foreign.Foreign"), chain(e));
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void a_manager_that_ends_before_it_serves_quotes_its_stderr_naming_the_class_it_could_not_load() throws Exception {
        // NOTE: it said only "ended with exit code 1 before it served"; the why was on the child's stderr, discarded
        SerializableSupplier<IntSupplier> factory = (SerializableSupplier<IntSupplier>) call("factory");
        Context quiet = Context.builder().inheritIO(false).build();
        ProcessError e = assertThrows(ProcessError.class, () -> Manager.builder().context(quiet).register(IntSupplier.class, factory).start());
        assertTrue(e.getMessage().contains("class foreign.Foreign") && e.getMessage().contains("is not on its class path"), e.getMessage());
    }

    @Test
    void a_runtime_directory_that_cannot_be_made_or_holds_no_socket_fails_start_and_manager_with_ProcessError_naming_it(
            @TempDir Path dir) throws Exception {
        // NOTE: Process.start() and Manager.start() threw java.io.UncheckedIOException, which neither documents
        Path aFile = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path tooLong = dir.resolve("d".repeat(80));
        for (Path base : List.of(aFile.resolve("runtime"), tooLong)) {
            java.lang.Process root = LaunchedJvm.start(base, StartFailureRootMain.class);
            List<String> lines;
            try {
                assertTrue(root.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the root JVM ended");
                lines = new String(root.getInputStream().readAllBytes()).lines().toList();
            } finally {
                root.destroyForcibly();
            }
            assertEquals(2, lines.size(), lines.toString());
            for (String line : lines) {
                assertTrue(line.matches("(process|manager) org\\.multiprocessing4j\\.ProcessError .*"), line);
                assertTrue(line.contains(base.toString()) && line.contains("multiprocessing4j.runtimeDir"), line);
            }
        }
    }
}
