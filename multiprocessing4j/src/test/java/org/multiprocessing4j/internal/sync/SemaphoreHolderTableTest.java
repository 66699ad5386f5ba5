package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A semaphore's holder table when more than {@value SharedSemaphore#SLOTS} processes hold permits. The
 * holders are real processes ({@code sleep}s, alive or killed), written into the table through the layout
 * documented in {@link SharedSemaphore} (a slot is the owner word at +64 + 16 i and its count at +8), as
 * their own {@code acquire} would have left it; this JVM is the newcomer.
 */
class SemaphoreHolderTableTest {
    private static final long VALUE = 16;
    private static final long TOTAL = 24;
    private static final long UNTRACKED = 48;
    private static final long TABLE = 64;
    private static final long SLOT_BYTES = 16;
    private static final long PERMITS = 1000;

    private final MemorySegment memory = Arena.ofAuto().allocate(SharedSemaphore.BYTES, 8);
    private final List<Process> sleepers = new ArrayList<>();

    @AfterEach
    void endSleepers() throws InterruptedException {
        for (Process p : sleepers) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void a_newcomer_finding_the_table_full_frees_a_dead_holders_place_and_gets_its_permits_back_first() throws Exception {
        SharedSemaphore s = semaphore();
        for (int i = 0; i < SharedSemaphore.SLOTS - 1; i++) {
            hold(i, live(), 1);
        }
        hold(SharedSemaphore.SLOTS - 1, dead(), 3);
        long before = s.value();

        assertTrue(s.acquire(System.nanoTime(), false));

        assertEquals(1, s.heldByThisProcess(), "tracked in the dead holder's freed place");
        assertEquals(3, s.recovered(), "the dead holder's permits, counted as recovered");
        assertEquals(before + 3 - 1, s.value());
        assertEquals(0, memory.get(JAVA_LONG, UNTRACKED), "untracked permits");
        s.release();
        assertEquals(0, s.heldByThisProcess());
        assertEquals(before + 3, s.value());
        assertInvariant();
    }

    @Test
    void beyond_the_table_of_live_holders_a_newcomers_permits_are_untracked_and_the_count_stays_exact() throws Exception {
        SharedSemaphore s = semaphore();
        for (int i = 0; i < SharedSemaphore.SLOTS; i++) {
            hold(i, live(), 1);
        }
        long before = s.value();

        assertTrue(s.acquire(System.nanoTime(), false));
        assertTrue(s.acquire(System.nanoTime(), false));

        assertEquals(0, s.heldByThisProcess(), "no place left for this process");
        assertEquals(2, memory.get(JAVA_LONG, UNTRACKED), "untracked permits");
        assertEquals(0, s.recovered(), "nobody is dead");
        assertEquals(before - 2, s.value());
        assertInvariant();
        s.release(); // NOTE: a release takes a holding off another holder first (see SharedSemaphore), so
        s.release(); // the total stays right either way
        assertEquals(before, s.value());
        assertInvariant();
    }

    @Test
    void consuming_this_processs_holdings_frees_its_place_without_giving_permits_back_and_later_takes_are_untracked() throws Exception {
        SharedSemaphore s = semaphore();
        hold(0, dead(), 2);
        assertTrue(s.acquire(System.nanoTime(), false));
        assertTrue(s.acquire(System.nanoTime(), false));
        long before = s.value();
        long total = memory.get(JAVA_LONG, TOTAL);

        assertTrue(s.consumeHoldings(System.nanoTime()));

        assertEquals(0, s.heldByThisProcess());
        assertEquals(before, s.value(), "consumed permits are not given back");
        assertEquals(total - 2, memory.get(JAVA_LONG, TOTAL), "consumed permits leave circulation");
        assertEquals(0, s.recovered(), "consuming is not a recovery");
        assertEquals(2, memory.get(JAVA_LONG, TABLE + 8), "another process's holdings stay");
        assertInvariant();
        assertTrue(s.acquire(System.nanoTime(), false));
        assertEquals(0, s.heldByThisProcess(), "a take after consuming claims no place");
        assertEquals(1, memory.get(JAVA_LONG, UNTRACKED), "untracked permits");
        assertInvariant();
    }

    private SharedSemaphore semaphore() {
        SharedSemaphore.initialize(memory, 0, PERMITS, false);
        return new SharedSemaphore(memory, 0);
    }

    /** Records {@code count} permits held by {@code owner} in slot {@code i}, as its acquires would have. */
    private void hold(int i, long owner, long count) {
        memory.set(JAVA_LONG, TABLE + i * SLOT_BYTES, owner);
        memory.set(JAVA_LONG, TABLE + i * SLOT_BYTES + 8, count);
        memory.set(JAVA_LONG, VALUE, memory.get(JAVA_LONG, VALUE) - count);
    }

    /** value + every slot's count + untracked == total, the semaphore's invariant. */
    private void assertInvariant() {
        long held = memory.get(JAVA_LONG, UNTRACKED);
        for (int i = 0; i < SharedSemaphore.SLOTS; i++) {
            held += memory.get(JAVA_LONG, TABLE + i * SLOT_BYTES + 8);
        }
        assertEquals(memory.get(JAVA_LONG, TOTAL), memory.get(JAVA_LONG, VALUE) + held, "value + held == total");
    }

    private long live() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        sleepers.add(p);
        return OwnerWord.of(ProcessStamp.of(p.toHandle()));
    }

    private long dead() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sleep", "600").start();
        long word = OwnerWord.of(ProcessStamp.of(p.toHandle()));
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sleep ended");
        return word;
    }
}
