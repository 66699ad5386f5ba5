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
}
