package org.multiprocessing4j.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * Who owns a {@link RobustMutex} word, and when a waiter may take it over: never from a live owner;
 * always from a dead one, including one whose pid now names another process (the waiter itself too).
 */
class RobustMutexTest {
    private static final FutexCondition.Cancellation NEVER = () -> { };
    private final MemorySegment file = Arena.ofAuto().allocate(64, 8);
    private final RobustMutex mutex = new RobustMutex(file, 0);

    @Test
    void a_free_lock_is_taken_and_released() throws Exception {
        assertEquals(RobustMutex.Acquired.ACQUIRED, mutex.lock(System.nanoTime(), NEVER));
        assertEquals(ProcessStamp.self().pid(), mutex.owner());
        mutex.unlock();
        assertEquals(0, mutex.owner());
    }

    @Test
    void a_live_owner_keeps_the_lock() throws Exception {
        java.lang.Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessStamp stamp = ProcessStamp.of(sleeper.toHandle());
            own(stamp.pid(), stamp.startMillis());
            long start = System.nanoTime();
            assertEquals(RobustMutex.Acquired.TIMED_OUT, mutex.lock(start + TimeUnit.MILLISECONDS.toNanos(100), NEVER));
            assertEquals(stamp.pid(), mutex.owner());
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void a_dead_owner_is_taken_over_even_by_a_try_once() throws Exception {
        java.lang.Process done = new ProcessBuilder("true").start();
        ProcessStamp stamp = ProcessStamp.of(done.toHandle());
        done.waitFor();
        own(stamp.pid(), stamp.startMillis());
        assertEquals(RobustMutex.Acquired.RECOVERED, mutex.lock(System.nanoTime(), NEVER));
        assertEquals(ProcessStamp.self().pid(), mutex.owner());
    }

    @Test
    void an_owner_whose_pid_this_process_now_has_is_dead() throws Exception {
        ProcessStamp self = ProcessStamp.self();
        own(self.pid(), self.startMillis() - 86_400_000L); // same pid, started a day earlier: another process
        assertEquals(RobustMutex.Acquired.RECOVERED, mutex.lock(System.nanoTime(), NEVER));
    }

    /** Records {@code pid} started at {@code startMillis} as the owner, as its CAS would have. */
    private void own(long pid, long startMillis) {
        file.set(JAVA_LONG, 0, ((long) (int) startMillis << 32) | (pid & 0xFFFF_FFFFL));
    }
}
