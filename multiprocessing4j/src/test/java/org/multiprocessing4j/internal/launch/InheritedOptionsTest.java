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
    void a_log_to_a_file_named_without_file_equals_is_not_inherited_so_children_do_not_rotate_the_parents_log_away() {
        // a JVM opening an existing log file renames it to gc.log.0 first: each child pushed the parent's log out
        assertFalse(JvmCommand.inheritable("-Xlog:gc:gc.log"));
        assertFalse(JvmCommand.inheritable("-Xlog:gc*:/var/log/app/gc.log:uptime,level"));
        assertFalse(JvmCommand.inheritable("-Xlog:gc*=debug:\"gc.log\""));
        assertTrue(JvmCommand.inheritable("-Xlog:gc:stdout"));
        assertTrue(JvmCommand.inheritable("-Xlog:gc*:stderr:uptime"));
        assertTrue(JvmCommand.inheritable("-Xlog:gc::uptime"), "an empty output is stdout");
        assertTrue(JvmCommand.inheritable("-Xlog:gc:#1"), "#1 is stderr");
        assertTrue(JvmCommand.inheritable("-Xlog:async:drop"), "a logging mode, no output");
        assertTrue(JvmCommand.inheritable("-Xlog:disable"));
    }

    @Test
    void class_data_flags_that_write_a_file_at_exit_are_not_inherited() {
        assertFalse(JvmCommand.inheritable("-XX:ArchiveClassesAtExit=app.jsa"));
        assertFalse(JvmCommand.inheritable("-XX:DumpLoadedClassList=classes.lst"));
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
