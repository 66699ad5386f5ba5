package org.multiprocessing4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * Peer-death detection while the peer's end is handed on from process to process: the reader here, the
 * writer end reserved for real (non-JVM) processes that this test starts and kills, the hand-on and the
 * claim states written as those processes would write them.
 */
class RingPeerHandOnTest extends ChildProcessTestBase {
    private final List<Process> started = new ArrayList<>();
    private SpscRing ring;

    @BeforeEach
    void createRing() throws Exception {
        ring = SpscRing.create(RingLayout.MIN_CAPACITY);
    }

    @AfterEach
    void cleanUp() throws Exception {
        ring.close();
        ring.unlink();
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_holder_that_hands_the_end_on_and_exits_while_the_reader_looks_is_not_taken_for_the_writer() throws Exception {
        Process first = sleeper();
        Process second = sleeper();
        ProcessStamp firstStamp = ProcessStamp.of(first.toHandle());
        ProcessStamp secondStamp = ProcessStamp.of(second.toHandle());
        assertTrue(ring.reserveWriter(firstStamp));
        SpscReader reader = ring.reader();
        assertFalse(reader.peerGoneNow()); // watches the first holder from now on
        ProcessWatch watch = (ProcessWatch) field("peerWatch").get(reader);
        Thread.sleep(5); // past the rate limit of peerGoneNow
        Thread looker = new Thread(reader::peerGoneNow, "looker");
        // NOTE: holding the watch's monitor stops the looker between its read of the holder and its question
        // to the watch: the hand-on and the exit of the first holder fall exactly in that window
        synchronized (watch) {
            looker.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (looker.getState() != Thread.State.BLOCKED) {
                assertTrue(System.nanoTime() - deadline < 0, "the looker never reached the watch");
                Thread.sleep(1);
            }
            assertTrue(RingEnd.reserve(ring.segment(), RingLayout.WRITER_END, firstStamp, secondStamp));
            first.destroyForcibly();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        }
        looker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(looker.isAlive());
        assertFalse(reader.peerGone(), "the writer end is held by " + secondStamp + ", which runs: " + reader.describePeer());
        Thread.sleep(5);
        assertFalse(reader.peerGoneNow());
        second.destroyForcibly();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertThrows(EOFException.class, () -> reader.read(Duration.ofSeconds(30)));
    }

    @Test
    void a_holder_killed_while_handing_the_end_on_reads_as_the_writers_death() throws Exception {
        Process holder = sleeper();
        ProcessStamp holderStamp = ProcessStamp.of(holder.toHandle());
        assertTrue(ring.reserveWriter(holderStamp));
        SpscReader reader = ring.reader();
        assertFalse(reader.peerGoneNow());
        // the holder takes its reservation to hand it on (RESERVED -> CLAIMING) and is killed before it writes
        // the next process's stamp
        MemorySegment file = ring.segment();
        assertTrue(RingLayout.INT.compareAndSet(file, RingLayout.WRITER_END + RingLayout.END_STATE,
                RingLayout.RESERVED, RingLayout.CLAIMING));
        holder.destroyForcibly();
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        // HANG guard: before the fix the reader waited for a writer nobody could ever be
        assertThrows(EOFException.class, () -> reader.read(Duration.ofSeconds(30)));
    }

    private Process sleeper() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        started.add(p);
        return p;
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = RingEnd.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
