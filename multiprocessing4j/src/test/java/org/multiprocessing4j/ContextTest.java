package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Context options reach the child JVM; bad ones fail clearly and promptly. */
class ContextTest extends ChildProcessTestBase {

    @Test
    void jvm_options_system_properties_and_environment_reach_the_child() throws Exception {
        Context ctx = Context.builder().jvmOptions("-Xmx48m").systemProperty("mp4j.test.prop", "p-value")
                .environment("MP4J_TEST_ENV", "e-value").build();
        Process p = ctx.process(() -> {
            boolean ok = Runtime.getRuntime().maxMemory() <= 48L * 1024 * 1024
                    && "p-value".equals(System.getProperty("mp4j.test.prop"))
                    && "e-value".equals(System.getenv("MP4J_TEST_ENV"));
            System.exit(ok ? 0 : 3);
        });
        assertEquals(0, run(p));
    }

    @Test
    void the_child_inherits_the_parents_jvm_options_unless_told_not_to() throws Exception {
        SerializableRunnable probe = () -> System.exit("from-parent-argline".equals(System.getProperty("mp4j.test.inherited")) ? 10 : 11);
        assertEquals(10, run(Context.builder().build().process(probe)));
        assertEquals(11, run(Context.builder().inheritJvmOptions(false).build().process(probe)));
    }

    @Test
    void a_child_runs_the_serial_collector_unless_its_options_pick_one() throws Exception {
        // NOTE: the serial collector's young generation is called "Copy"; G1's "G1 Young Generation"
        SerializableRunnable probe = () -> System.exit(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
                .stream().anyMatch(gc -> gc.getName().equals("Copy")) ? 20
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .anyMatch(gc -> gc.getName().startsWith("G1")) ? 21 : 22);
        assertEquals(20, run(Context.builder().build().process(probe)));
        assertEquals(21, run(Context.builder().jvmOptions("-XX:+UseG1GC").build().process(probe)));
    }

    @Test
    void a_child_that_sizes_no_heap_starts_with_a_16_MiB_young_generation() throws Exception {
        // NOTE: the young generation is eden and two survivor spaces; their initial sizes add up to NewSize
        SerializableRunnable probe = () -> {
            long young = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getName().equals("Eden Space") || pool.getName().equals("Survivor Space"))
                    .mapToLong(pool -> pool.getUsage().getInit()).sum() + java.lang.management.ManagementFactory
                    .getMemoryPoolMXBeans().stream().filter(pool -> pool.getName().equals("Survivor Space"))
                    .mapToLong(pool -> pool.getUsage().getInit()).sum();
            System.exit(young > 15L << 20 && young <= 16L << 20 ? 40 : young > 3L << 20 && young <= 4L << 20 ? 41 : 42);
        };
        assertEquals(40, run(Context.builder().build().process(probe)));
        assertEquals(41, run(Context.builder().jvmOptions("-XX:NewSize=4m").build().process(probe)));
    }

    @Test
    void a_grandchild_whose_context_picks_another_collector_starts() throws Exception {
        // NOTE: the child's defaults (-XX:+UseSerialGC -XX:NewSize=16m) are not passed on as if they were options
        Process p = Context.builder().build().process(() -> {
            try {
                Process grandchild = Context.builder().jvmOptions("-XX:+UseG1GC").build().process(() -> System.exit(
                        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                                .anyMatch(gc -> gc.getName().startsWith("G1")) ? 50 : 51));
                grandchild.start();
                grandchild.join();
                System.exit(grandchild.exitCode());
            } catch (InterruptedException e) {
                System.exit(52);
            }
        });
        assertEquals(50, run(p));
    }

    @Test
    void a_collector_chosen_through_the_childs_environment_is_not_doubled() throws Exception {
        // NOTE: a second collector on the command line would stop the JVM ("Multiple garbage collectors selected")
        SerializableRunnable probe = () -> System.exit(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
                .stream().anyMatch(gc -> gc.getName().equals("PS Scavenge")) ? 30 : 31);
        assertEquals(30, run(Context.builder().environment("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC").build().process(probe)));
        assertEquals(30, run(Context.builder().environment("JDK_JAVA_OPTIONS", "-Xss2m  -XX:+UseParallelGC ").build().process(probe)));
    }

    @Test
    void the_working_directory_is_the_childs_current_directory(@TempDir Path dir) throws Exception {
        String expected = dir.toRealPath().toString();
        Process p = Context.builder().workingDirectory(dir).build().process(() ->
                System.exit(Path.of("").toAbsolutePath().toString().equals(expected) ? 0 : 3));
        assertEquals(0, run(p));
    }

    @Test
    void inheritIO_false_keeps_the_childs_output_out_of_ours() throws Exception {
        try (CapturedOutput output = new CapturedOutput()) {
            assertEquals(0, run(Context.builder().inheritIO(false).build().process(() -> System.out.println("silent-child"))));
            assertEquals(0, run(Context.builder().build().process(() -> System.out.println("loud-child"))));
            assertFalse(output.out().contains("silent-child"), output.out());
            assertTrue(output.out().contains("loud-child"), output.out());
        }
    }

    @Test
    void a_java_executable_that_does_not_exist_is_rejected_naming_the_path() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Context.builder().javaExecutable(Path.of("/no/such/java")).build());
        assertTrue(e.getMessage().contains("/no/such/java"), e.getMessage());
    }

    @Test
    void jvm_options_that_stop_the_child_from_starting_fail_start_with_the_childs_stderr() {
        Process p = Context.builder().jvmOptions("-XX:+NoSuchOptionForMp4j").build().process(() -> { });
        ProcessError e = assertThrows(ProcessError.class, p::start);
        assertTrue(e.getMessage().contains("NoSuchOptionForMp4j"), e.getMessage());
        assertTrue(e.getMessage().contains("before it connected back"), e.getMessage());
    }

    @Test
    void bad_builder_values_are_rejected() {
        assertThrows(IllegalArgumentException.class, () -> Context.builder().standbyCount(0).build());
        assertThrows(IllegalArgumentException.class, () -> Context.builder().startTimeout(java.time.Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> Context.builder().workingDirectory(Path.of("/no/such/dir")).build());
        assertThrows(NullPointerException.class, () -> Context.builder().jvmOptions((String) null));
        assertThrows(IllegalArgumentException.class, () -> Context.builder().systemProperty("", "v"));
    }

    @Test
    void prestarted_hands_the_target_to_a_jvm_booted_before_start() throws Exception {
        try (Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).build()) {
            ctx.prestart();
            Set<Long> booted = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
            Process p = ctx.process("pre", () -> System.exit(Multiprocessing.currentProcess().name().equals("pre") ? 9 : 3));
            p.start();
            assertTrue(booted.contains(p.pid().getAsLong()), "the process ran in a standby booted before start()");
            p.join(HANG);
            assertEquals(9, p.exitCode());
            Process second = ctx.process(() -> System.exit(4));
            assertEquals(4, run(second));
        }
    }

    @Test
    void the_child_decodes_with_the_contexts_serializer() throws Exception {
        Context ctx = Context.builder().serializer(MarkedSerializer.class).build();
        assertEquals(0, run(ctx.process(() -> System.exit(0))));
    }

    @Test
    void a_serializer_without_a_public_no_argument_constructor_is_rejected_at_build() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Context.builder().serializer(NoDefaultConstructor.class).build());
        assertTrue(e.getMessage().contains(NoDefaultConstructor.class.getName()), e.getMessage());
    }

    /** A serializer a child could not instantiate. */
    public static final class NoDefaultConstructor implements Serializer {
        public NoDefaultConstructor(int unused) {
        }

        @Override
        public byte[] toBytes(Object object) {
            return new byte[0];
        }

        @Override
        public Object fromBytes(byte[] data, int offset, int length, ClassLoader loader) {
            return null;
        }
    }

    @Test
    void a_closed_context_starts_nothing() {
        Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).build();
        ctx.close();
        ctx.close();
        assertThrows(IllegalStateException.class, () -> ctx.process(() -> { }).start());
    }

    /** As a process: a pool or executor of a closed context was made, and only its first task failed (broken pool). */
    @Test
    void a_closed_context_makes_no_pool_and_no_executor() {
        for (StartMethod method : StartMethod.values()) {
            Context ctx = Context.builder().startMethod(method).build();
            ctx.close();
            IllegalStateException pool = assertThrows(IllegalStateException.class, () -> ctx.pool(1));
            assertTrue(pool.getMessage().contains("closed"), pool.getMessage());
            assertThrows(IllegalStateException.class, () -> ctx.executor(1));
            assertThrows(IllegalStateException.class, () -> Pool.builder().context(ctx).build());
        }
    }

    @Test
    void a_child_that_exits_before_connecting_back_fails_start_with_its_status_and_stderr(@TempDir Path dir) throws Exception {
        Path fakeJava = script(dir, "echo 'fake java refuses' >&2; exit 3");
        Process p = Context.builder().javaExecutable(fakeJava).build().process(() -> { });
        ProcessError e = assertThrows(ProcessError.class, p::start);
        assertTrue(e.getMessage().contains("status 3") && e.getMessage().contains("fake java refuses"), e.getMessage());
    }

    @Test
    void a_child_killed_during_bootstrap_fails_start_promptly(@TempDir Path dir) throws Exception {
        Path fakeJava = script(dir, "kill -9 $$");
        Process p = Context.builder().javaExecutable(fakeJava).build().process(() -> { });
        ProcessError e = assertThrows(ProcessError.class, p::start);
        assertTrue(e.getMessage().contains("status 137"), e.getMessage());
    }

    @Test
    void a_child_that_never_connects_is_killed_at_the_start_timeout(@TempDir Path dir) throws Exception {
        Path fakeJava = script(dir, "exec sleep 600");
        Process p = Context.builder().javaExecutable(fakeJava).startTimeout(java.time.Duration.ofMillis(500)).build()
                .process(() -> { });
        ProcessError e = assertThrows(ProcessError.class, p::start);
        assertTrue(e.getMessage().contains("did not connect back within"), e.getMessage());
    }

    private static Path script(Path dir, String body) throws Exception {
        Path script = dir.resolve("java");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        script.toFile().setExecutable(true);
        return script;
    }

    @Test
    void aContextMakesPoolsExecutorsAndManagersThatCarryItsSettings() throws Exception {
        try (Context ctx = Context.builder().systemProperty("mp4j.test.ctx", "made-by-ctx").build();
             Pool pool = ctx.pool(1);
             ProcessPoolExecutor executor = ctx.executor(1);
             Manager manager = ctx.manager()) {
            assertEquals("made-by-ctx", pool.apply(() -> System.getProperty("mp4j.test.ctx")));
            assertEquals("made-by-ctx", executor.submit(() -> System.getProperty("mp4j.test.ctx")).get());
            java.util.Map<String, String> d = manager.dict();
            Process p = ctx.process(() -> d.put("seen", System.getProperty("mp4j.test.ctx")));
            p.start();
            p.join();
            assertEquals("made-by-ctx", d.get("seen"));
            assertThrows(IllegalArgumentException.class, () -> ctx.pool(0));
        }
    }

    @Test
    void a_system_property_or_environment_name_a_command_line_cannot_carry_is_refused_naming_it() {
        // NOTE: -Dprobe.k=x=v reached the child as probe.k = "x=v"; an '=' in an environment name failed each start
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> Context.builder().systemProperty("probe.k=x", "v"));
        assertTrue(key.getMessage().contains("probe.k=x"), key.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Context.builder().systemProperty("k", "a\0b"));
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> Context.builder().environment("PROBE_A=B", "v"));
        assertTrue(env.getMessage().contains("PROBE_A=B"), env.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Context.builder().environment("", "v"));
        assertThrows(IllegalArgumentException.class, () -> Context.builder().environment("K", "a\0b"));
    }

    @Test
    void a_pipe_end_captured_by_a_process_that_failed_to_start_still_closes_for_its_peer() throws Exception {
        // NOTE: the end counted as handed to the child, so closing it here closed nothing and recv waited for ever
        try (Pipe pipe = Pipe.open(); Context broken = Context.builder().jvmOptions("-XX:+NoSuchOptionOfThisTest").build()) {
            Connection right = pipe.right();
            Process p = broken.process(() -> {
                try {
                    right.send("hello");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(ProcessError.class, p::start);
            right.close();
            assertTrue(pipe.left().poll(java.time.Duration.ofSeconds(30)), "EOF readable");
            assertThrows(java.io.EOFException.class, pipe.left()::recv);
        }
    }
}
