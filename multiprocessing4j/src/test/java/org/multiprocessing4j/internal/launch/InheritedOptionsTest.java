package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which of the parent's JVM options a child inherits. */
class InheritedOptionsTest {
    @Test
    void a_flight_recording_of_the_parent_is_not_inherited_so_children_do_not_overwrite_its_file() {
        assertFalse(JvmCommand.inheritable("-XX:StartFlightRecording=filename=app.jfr"));
        assertFalse(JvmCommand.inheritable("-XX:StartFlightRecording"));
    }

    @Test
    void ordinary_options_are_inherited() {
        assertTrue(JvmCommand.inheritable("-Xmx512m"));
        assertTrue(JvmCommand.inheritable("-XX:FlightRecorderOptions=stackdepth=128"));
        assertFalse(JvmCommand.inheritable("-agentlib:jdwp=transport=dt_socket,server=y"));
    }

    @Test
    void options_that_pick_a_collector_are_recognised() {
        assertTrue(JvmCommand.selectsCollector("-XX:+UseG1GC"));
        assertTrue(JvmCommand.selectsCollector("-XX:+UseZGC"));
        assertTrue(JvmCommand.selectsCollector("-XX:+UseParallelGC"));
        assertFalse(JvmCommand.selectsCollector("-XX:-UseG1GC"));
        assertFalse(JvmCommand.selectsCollector("-XX:+UseGCOverheadLimit"));
        assertFalse(JvmCommand.selectsCollector("-XX:+UseStringDeduplication"));
        assertFalse(JvmCommand.selectsCollector("-XX:+UseMaximumCompactionOnSystemGC"));
    }

    @Test
    void a_collector_is_taken_as_chosen_when_an_option_variable_or_an_options_file_may_choose_it() {
        assertFalse(JvmCommand.collectorChosen(java.util.List.of("-Xmx64m"), java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xss1m")));
        assertTrue(JvmCommand.collectorChosen(java.util.List.of("-Xmx64m"), java.util.Map.of("_JAVA_OPTIONS", " -Xss1m -XX:+UseZGC")));
        assertTrue(JvmCommand.collectorChosen(java.util.List.of("-XX:VMOptionsFile=/etc/jvm.options"), java.util.Map.of()));
        assertTrue(JvmCommand.collectorChosen(java.util.List.of("-XX:+UseShenandoahGC"), java.util.Map.of()));
    }
}
