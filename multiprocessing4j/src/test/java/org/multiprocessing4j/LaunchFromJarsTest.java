package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mp4jtest.JarParentMain;
import org.mp4jtest.ShortParentMain;

/**
 * Children work whatever way the parent was launched: from jars on the class path (then with an AOT cache,
 * created once and reused, and harmless when broken), with {@code java -jar}, and with the library on the
 * module path. The suite itself covers the classes-directory case.
 */
class LaunchFromJarsTest extends ChildProcessTestBase {
    @TempDir
    static Path dir;
    static Path coreJar;
    static Path appJar;

    @BeforeAll
    static void packageJars() throws Exception {
        coreJar = jar(dir.resolve("core.jar"), classesOf(Process.class), null);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, JarParentMain.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "core.jar");
        appJar = jar(dir.resolve("app.jar"), classesOf(JarParentMain.class), manifest);
    }

    @Test
    void from_jars_on_the_class_path_children_boot_from_an_aot_cache_made_once() throws Exception {
        Path cache = dir.resolve("cache-cp");
        java.lang.Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path abandoned = Files.createDirectories(cache.resolve("aot")).resolve("child-0-0.aot." + gone.pid() + ".tmp");
        Files.writeString(abandoned, "left by a training whose JVM died");
        assertEquals("child-exit=41", runParent(cache, "-cp", coreJar + ":" + appJar, JarParentMain.class.getName()));
        List<Path> caches = aotFiles(cache);
        assertEquals(1, caches.size(), "one cache file: " + caches);
        assertFalse(Files.exists(abandoned), "a dead training's temporary file is removed");
        long made = Files.getLastModifiedTime(caches.get(0)).toMillis();
        assertEquals("child-exit=41", runParent(cache, "-cp", coreJar + ":" + appJar, JarParentMain.class.getName()));
        assertEquals(made, Files.getLastModifiedTime(aotFiles(cache).get(0)).toMillis(), "the cache is reused, not remade");
    }

    @Test
    void a_program_that_ends_during_the_training_leaves_neither_the_trainer_nor_its_files() throws Exception {
        Path cache = dir.resolve("cache-short");
        assertEquals("child-exit=0 trainer-seen=true", runParent(cache, "-cp", coreJar + ":" + appJar, ShortParentMain.class.getName()));
        // NOTE: without the exit step, the trainer ends by itself when it sees its parent gone, writing its record
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!processesUsing(cache).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), processesUsing(cache), "no process of the training is left");
        Thread.sleep(500); // what a trainer that halted by itself would have written by now
        try (Stream<Path> s = Files.list(cache.resolve("aot"))) {
            assertEquals(List.of(), s.toList(), "no cache, and no temporary file of the training");
        }
    }

    @Test
    void a_broken_aot_cache_does_not_break_a_start() throws Exception {
        Path cache = dir.resolve("cache-broken");
        assertEquals("child-exit=41", runParent(cache, "-cp", coreJar + ":" + appJar, JarParentMain.class.getName()));
        Files.writeString(aotFiles(cache).get(0), "not an AOT cache");
        String out = runParent(cache, "-cp", coreJar + ":" + appJar, JarParentMain.class.getName());
        assertEquals("child-exit=41", out, "the child was given the unusable cache, started anyway, and said nothing about it");
    }

    @Test
    void with_java_dash_jar_children_get_the_manifest_class_path() throws Exception {
        assertTrue(runParent(dir.resolve("cache-jar"), "-jar", appJar.toString()).startsWith("child-exit=4"));
    }

    @Test
    void with_the_library_on_the_module_path_children_run_it_as_a_named_module() throws Exception {
        String out = runParent(dir.resolve("cache-mp"), "--module-path", coreJar.toString(), "--add-modules", "org.multiprocessing4j",
                "-cp", appJar.toString(), JarParentMain.class.getName());
        assertTrue(out.equals("child-exit=42") || out.equals("child-exit=43"), out);
    }

    @Test
    void from_class_directories_no_aot_cache_is_attempted() throws Exception {
        Path cache = dir.resolve("cache-dirs");
        String cp = classesOf(Process.class) + ":" + classesOf(JarParentMain.class);
        assertEquals("child-exit=40", runParent(cache, "-cp", cp, JarParentMain.class.getName()));
        assertFalse(Files.exists(cache.resolve("aot")));
    }

    private static String runParent(Path cacheDir, String... launch) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dmultiprocessing4j.cacheDir=" + cacheDir));
        command.addAll(List.of(launch));
        java.lang.Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(parent.getInputStream().readAllBytes());
        assertTrue(parent.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "parent ended");
        assertEquals(0, parent.exitValue(), out);
        return out.strip();
    }

    /** Pids of the processes whose command line names {@code cacheDir} (the training child and its helpers). */
    private static List<Long> processesUsing(Path cacheDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().stream().flatMap(Arrays::stream).anyMatch(a -> a.contains(cacheDir.toString())))
                .map(ProcessHandle::pid).toList();
    }

    private static List<Path> aotFiles(Path cacheDir) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir.resolve("aot"))) {
            return s.filter(p -> p.toString().endsWith(".aot")).toList();
        }
    }

    private static Path classesOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path jar(Path jar, Path classes, Manifest manifest) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
