package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void options_holding_a_file_or_a_port_of_the_parents_are_not_inherited() {
        assertFalse(JvmCommand.inheritable("-Xlog:gc*:file=/tmp/gc.log:pid"));
        assertFalse(JvmCommand.inheritable("-Xloggc:/tmp/gc.log"));
        assertFalse(JvmCommand.inheritable("-Dcom.sun.management.jmxremote.port=9010"));
        assertFalse(JvmCommand.inheritable("-Dcom.sun.management.jmxremote.rmi.port=9011"));
        assertTrue(JvmCommand.inheritable("-Xlog:gc"), "a log to stdout may be inherited");
        assertTrue(JvmCommand.inheritable("-Dcom.sun.management.jmxremote"), "the local agent takes no port");
    }

    @Test
    void relative_class_path_entries_become_absolute_so_another_working_directory_keeps_them() {
        String here = System.getProperty("user.dir");
        String sep = java.io.File.pathSeparator;
        assertEquals(here + "/lib/a.jar" + sep + "/abs/b.jar" + sep + here,
                JvmCommand.absolutePaths("lib/a.jar" + sep + "/abs/b.jar" + sep));
        assertEquals("", JvmCommand.absolutePaths(""));
    }
}
