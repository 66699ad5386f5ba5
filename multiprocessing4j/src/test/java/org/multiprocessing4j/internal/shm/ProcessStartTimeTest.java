package org.multiprocessing4j.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ProcessStartTime}: the start time since boot, which a step of the wall clock does not move. */
class ProcessStartTimeTest {

    @Test
    void the_fields_after_a_command_holding_spaces_and_parentheses_are_found() {
        String fields = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 19 20\n";
        long ticksPerSecond = 1000L * 4242 / ProcessStartTime.parse("1 (java)" + fields).orElseThrow();
        assertTrue(ticksPerSecond > 0);
        assertEquals(ProcessStartTime.parse("1 (java)" + fields), ProcessStartTime.parse("1 (a) b (c)) d)" + fields));
        assertEquals(Optional.empty(), ProcessStartTime.parse("1 (cut short) S 1 2"));
        assertEquals(Optional.empty(), ProcessStartTime.parse("no parenthesis"));
    }

    @Test
    void a_process_started_after_this_one_started_later_and_within_the_uptime() throws Exception {
        long self = ProcessStartTime.millisSinceBoot(ProcessHandle.current().pid()).orElseThrow();
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            long childStart = ProcessStartTime.millisSinceBoot(child.pid()).orElseThrow();
            double uptimeSeconds = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            assertTrue(self <= childStart, self + " then " + childStart);
            assertTrue(childStart <= uptimeSeconds * 1000 + 1000, childStart + " after an uptime of " + uptimeSeconds + " s");
            assertEquals(Optional.of(childStart), ProcessStamp.startMillis(child.toHandle()));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void a_process_that_has_ended_has_no_start_time() throws Exception {
        Process done = new ProcessBuilder("true").start();
        long pid = done.pid();
        done.waitFor();
        // NOTE: reaped by waitFor, so its /proc entry is gone (unless the pid was reused at once: then it must
        // at least read as another, later process)
        ProcessStartTime.millisSinceBoot(pid).ifPresent(start -> assertTrue(start > 0));
        assertEquals(Optional.empty(), ProcessStartTime.millisSinceBoot(Integer.MAX_VALUE));
    }
}
