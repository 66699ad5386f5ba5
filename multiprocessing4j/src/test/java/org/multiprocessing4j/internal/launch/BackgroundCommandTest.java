package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;

/** A background command (an AOT cache's trainer) runs at the lowest CPU priority; others do not. */
class BackgroundCommandTest {

    @Test
    void a_background_command_starts_with_nice_and_then_runs_the_same_java_with_the_extra_options() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/nice")) || Files.isExecutable(Path.of("/bin/nice")),
                "no nice program on this machine");
        JvmCommand base = JvmCommand.of(Context.builder().build());
        List<String> plain = base.withOptions(List.of("-Dmp4j.test.extra=1"), false, false).argv();
        List<String> background = base.withOptions(List.of("-Dmp4j.test.extra=1"), false, true).argv();

        assertEquals(base.javaExecutable().toString(), plain.get(0));
        assertTrue(background.get(0).endsWith("/nice"), background.toString());
        assertEquals(List.of("-n", "19"), background.subList(1, 3));
        assertEquals(plain, background.subList(3, background.size()));
        assertTrue(plain.contains("-Dmp4j.test.extra=1"), plain.toString());

        // the prefix works on this machine: what it starts runs at niceness 19
        Process p = new ProcessBuilder(background.get(0), "-n", "19", "sh", "-c", "cut -d' ' -f19 /proc/self/stat")
                .redirectErrorStream(true).start();
        String niceness = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        assertEquals("19", niceness);
    }
}
