package org.multiprocessing4j.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * A queue side's lock holder SIGKILLed between the count store and the position store of
 * {@link Cursor#advanceItem} (the journal's window): the count says one item more (or fewer) than the
 * positions show until that side's next holder repairs it. A reader that takes no lock ({@link SharedQueue#size},
 * which {@code empty()} and {@code qsize()} use) must not see that as an item: a consumer loop "while the
 * producer runs or the queue is not empty" waited for ever for a phantom item (QueueConcurrencyTest under load).
 * Each test writes the dead holder's state into the file, as the stores it made before the kill.
 */
class HolderKilledMidMoveTest {
    private static final long POSITION = 0;
    private static final long COUNT = 8;
    private static final long PENDING = 16;
    private static final long COUNT_BEFORE = 24;

    @Test
    void a_producer_killed_after_its_count_store_leaves_no_phantom_item() throws Exception {
        try (SharedQueue q = SharedQueue.create(0, 4096); SharedFile raw = SharedFile.attach(q.path())) {
            q.unlink(); // NOTE: both mappings stay usable
            MemorySegment file = raw.segment();
            diedMidMove(file, QueueLayout.PRODUCER_CURSOR, QueueLayout.PRODUCER_MUTEX, deadProcess());
            assertEquals(0, q.size(), "the dead producer's item was never published");
            assertNull(q.take(0), "nothing to take");
            assertEquals(0, (long) file.get(JAVA_LONG, QueueLayout.PRODUCER_CURSOR + PENDING), "repaired");
            assertEquals(0, new RobustMutex(file, QueueLayout.PRODUCER_MUTEX).owner(), "the lock was taken over and released");
            q.put(new byte[] {7}, 0);
            assertEquals(1, q.size());
            assertArrayEquals(new byte[] {7}, q.take(0));
            assertEquals(0, q.size());
        }
    }

    @Test
    void a_consumer_killed_after_its_count_store_leaves_its_item_counted() throws Exception {
        try (SharedQueue q = SharedQueue.create(0, 4096); SharedFile raw = SharedFile.attach(q.path())) {
            q.unlink(); // NOTE: both mappings stay usable
            q.put(new byte[] {1}, 0);
            q.put(new byte[] {2}, 0);
            MemorySegment file = raw.segment();
            diedMidMove(file, QueueLayout.CONSUMER_CURSOR, QueueLayout.CONSUMER_MUTEX, deadProcess());
            assertEquals(2, q.size(), "the dead consumer took nothing: its item is still at the head");
            assertArrayEquals(new byte[] {1}, q.take(0));
            assertArrayEquals(new byte[] {2}, q.take(0));
            assertEquals(0, q.size());
        }
    }

    @Test
    void a_live_holder_between_its_stores_keeps_its_lock() throws Exception {
        java.lang.Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (SharedQueue q = SharedQueue.create(0, 4096); SharedFile raw = SharedFile.attach(q.path())) {
            q.unlink(); // NOTE: both mappings stay usable
            MemorySegment file = raw.segment();
            ProcessStamp live = ProcessStamp.of(sleeper.toHandle());
            diedMidMove(file, QueueLayout.PRODUCER_CURSOR, QueueLayout.PRODUCER_MUTEX, live);
            q.size(); // NOTE: a move in progress: whatever it reports, it must not take the holder's lock
            assertEquals(live.pid(), new RobustMutex(file, QueueLayout.PRODUCER_MUTEX).owner());
            long position = file.get(JAVA_LONG, QueueLayout.PRODUCER_CURSOR + POSITION);
            assertEquals(position + 24, (long) file.get(JAVA_LONG, QueueLayout.PRODUCER_CURSOR + PENDING),
                    "the journal is left to its holder");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    /** A process that has ended (its pid names nobody now, or a process with another start time). */
    private static ProcessStamp deadProcess() throws Exception {
        java.lang.Process done = new ProcessBuilder("true").start();
        ProcessStamp stamp = ProcessStamp.of(done.toHandle());
        done.waitFor();
        return stamp;
    }

    /**
     * Writes what {@code holder}, owning the mutex at {@code mutex}, left when killed in advanceItem over a
     * 24-byte record right after its count store: the journal, the count one up, the position not moved.
     */
    private static void diedMidMove(MemorySegment file, long cursor, long mutex, ProcessStamp holder) {
        long position = file.get(JAVA_LONG, cursor + POSITION);
        long count = file.get(JAVA_LONG, cursor + COUNT);
        file.set(JAVA_LONG, mutex, ((long) (int) holder.startMillis() << 32) | (holder.pid() & 0xFFFF_FFFFL));
        file.set(JAVA_LONG, cursor + COUNT_BEFORE, count);
        file.set(JAVA_LONG, cursor + PENDING, position + 24);
        file.set(JAVA_LONG, cursor + COUNT, count + 1);
    }
}
