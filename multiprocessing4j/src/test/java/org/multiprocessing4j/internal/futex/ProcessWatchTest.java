package org.multiprocessing4j.internal.futex;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.shm.ProcessStamp;

class ProcessWatchTest extends ChildProcessTestBase {

    @Test
    void this_process_is_alive() {
        try (ProcessWatch watch = ProcessWatch.open(ProcessStamp.self())) {
            assertTrue(watch.isAlive());
        }
    }

    @Test
    void a_process_killed_with_sigkill_is_dead_even_before_it_is_reaped() throws Exception {
        java.lang.Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (ProcessWatch watch = ProcessWatch.open(ProcessStamp.of(sleeper.toHandle()))) {
            assertTrue(watch.isAlive());
            sleeper.destroyForcibly();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (watch.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertFalse(watch.isAlive());
            assertFalse(watch.isAlive(), "dead stays dead");
        } finally {
            sleeper.destroyForcibly().waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void a_pid_with_another_start_time_is_not_the_recorded_process() {
        ProcessStamp me = ProcessStamp.self();
        try (ProcessWatch watch = ProcessWatch.open(new ProcessStamp(me.pid(), me.startMillis() + 1))) {
            assertFalse(watch.isAlive());
        }
    }

    @Test
    void a_process_that_already_ended_is_dead() throws Exception {
        java.lang.Process done = new ProcessBuilder("true").start();
        ProcessStamp stamp = ProcessStamp.of(done.toHandle());
        done.waitFor();
        try (ProcessWatch watch = ProcessWatch.open(stamp)) {
            assertFalse(watch.isAlive());
        }
    }

    @Test
    void a_closed_watch_refuses_questions() {
        ProcessWatch watch = ProcessWatch.open(ProcessStamp.self());
        watch.close();
        watch.close();
        assertThrows(IllegalStateException.class, watch::isAlive);
    }
}
