package org.multiprocessing4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.EOFException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.Process;

/**
 * A ring between this JVM and a real child JVM: the child attaches by the file's path (the only thing its
 * target captures), claims one end, and this JVM holds the other. The leak checks of the base class prove
 * that the file is gone afterwards, SIGKILL included.
 */
class SpscRingAcrossJvmsTest extends ChildProcessTestBase {
    private static final int CAPACITY = 64 * 1024;
    /** Larger than the ring: it streams in pieces, so a kill lands mid-message. */
    private static final int BIG = 5 * CAPACITY + 3;

    private SpscRing ring;

    @BeforeEach
    void createRing() throws Exception {
        ring = SpscRing.create(CAPACITY);
    }

    @AfterEach
    void removeRing() throws Exception {
        ring.close();
        ring.unlink();
    }

    @Test
    void a_child_sends_100000_messages_and_each_arrives_in_order_exactly_once_then_EOF() throws Exception {
        int count = 100_000;
        String path = ring.path().toString();
        SpscReader reader = ring.reader();
        Process child = new Process(() -> sendNumbered(path, count, 0));
        child.start();
        for (int i = 0; i < count; i++) {
            byte[] m = reader.read(HANG);
            assertNotNull(m, "message " + i + " did not come within " + HANG);
            assertArrayEquals(SpscRingTest.message(i, i % 100), m, "message " + i);
        }
        assertThrows(EOFException.class, () -> reader.read(HANG), "the child closed its end after the last message");
        child.join(HANG);
        assertEquals(0, child.exitCode());
    }

    @Test
    void a_writer_killed_mid_stream_gives_the_reader_EOF_promptly_and_never_a_torn_message() throws Exception {
        String path = ring.path().toString();
        SpscReader reader = ring.reader();
        Process child = new Process(() -> sendBig(path));
        child.start();
        int received = 0;
        for (; received < 3; received++) {
            assertWhole(reader.read(HANG), received);
        }
        child.kill();
        try {
            for (;;) {
                byte[] m = reader.read(HANG);
                assertNotNull(m, "no EOF within " + HANG + " after the writer was killed");
                assertWhole(m, received++);
            }
        } catch (EOFException expected) {
            assertTrue(expected.getMessage().contains("dead"), expected.getMessage());
        }
        child.join(HANG);
        assertEquals(-9, child.exitCode());
    }

    @Test
    void a_reader_killed_gives_the_blocked_writer_BrokenRingException() throws Exception {
        String path = ring.path().toString();
        SpscWriter writer = ring.writer();
        Process child = new Process(() -> readThenSleep(path, 10));
        child.start();
        byte[] m = new byte[1000];
        for (int i = 0; i < 10; i++) {
            writer.write(m, 0, m.length); // the child reads these ten, then stops reading
        }
        long consumed = 10L * (RingLayout.RECORD_HEADER + m.length);
        long attachDeadline = System.nanoTime() + HANG.toNanos();
        while ((long) RingLayout.LONG.getAcquire(ring.segment(), RingLayout.HEAD) != consumed) {
            assertTrue(System.nanoTime() < attachDeadline, "the child did not read ten messages within " + HANG);
            Thread.sleep(5); // the child must have claimed its end: a peer that never attached is not watched
        }
        child.kill();
        long deadline = System.nanoTime() + HANG.toNanos();
        BrokenRingException broken = assertThrows(BrokenRingException.class, () -> {
            while (System.nanoTime() < deadline) {
                writer.write(m, 0, m.length, Duration.ofMillis(100)); // fills the ring, then waits on it
            }
        });
        assertTrue(broken.getMessage().contains("dead"), broken.getMessage());
        child.join(HANG);
    }

    @Test
    void a_reader_killed_in_the_middle_of_a_long_message_gives_the_writer_BrokenRingException_not_a_hang() throws Exception {
        String path = ring.path().toString();
        SpscWriter writer = ring.writer();
        Process child = new Process(() -> readThenSleep(path, 2)); // a small message, then the long one
        child.start();
        byte[] small = new byte[100];
        writer.write(small, 0, small.length);
        long consumed = RingLayout.RECORD_HEADER + small.length;
        long deadline = System.nanoTime() + HANG.toNanos();
        while ((long) RingLayout.LONG.getAcquire(ring.segment(), RingLayout.HEAD) < consumed) {
            assertTrue(System.nanoTime() < deadline, "the child did not read the first message within " + HANG);
            Thread.sleep(1);
        }
        byte[] longMessage = new byte[64 << 20]; // 1,024 rings' worth: the child is still reading it when killed
        java.util.concurrent.CompletableFuture<Throwable> written = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                writer.write(longMessage, 0, longMessage.length);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        while ((long) RingLayout.LONG.getAcquire(ring.segment(), RingLayout.HEAD) < consumed + (1 << 20)) {
            assertTrue(System.nanoTime() < deadline, "the child did not read 1 MiB of the long message within " + HANG);
            Thread.onSpinWait();
        }
        child.kill();
        Throwable outcome = written.get(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        org.junit.jupiter.api.Assumptions.assumeTrue(outcome != null,
                "the child read all 64 MiB before the kill landed: the case was not reached");
        BrokenRingException broken = org.junit.jupiter.api.Assertions.assertInstanceOf(BrokenRingException.class, outcome);
        assertTrue(broken.getMessage().contains("dead"), broken.getMessage());
        child.join(HANG);
        assertEquals(-9, child.exitCode());
    }

    /** Child: writes messages 0..count-1 (4-byte number + i % 100 bytes), then closes its end. */
    static void sendNumbered(String path, int count, int unused) {
        try (SpscRing ring = SpscRing.attach(Path.of(path))) {
            SpscWriter writer = ring.writer();
            for (int i = 0; i < count; i++) {
                byte[] m = SpscRingTest.message(i, i % 100);
                writer.write(m, 0, m.length);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child: writes BIG-byte messages, message i filled with the byte i, until it is killed. */
    static void sendBig(String path) {
        try (SpscRing ring = SpscRing.attach(Path.of(path))) {
            SpscWriter writer = ring.writer();
            byte[] m = new byte[BIG];
            for (int i = 0; ; i++) {
                Arrays.fill(m, (byte) i);
                writer.write(m, 0, m.length);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child: reads {@code count} messages, then sleeps until it is killed. */
    static void readThenSleep(String path, int count) {
        try (SpscRing ring = SpscRing.attach(Path.of(path))) {
            SpscReader reader = ring.reader();
            for (int i = 0; i < count; i++) {
                reader.read();
            }
            Thread.sleep(HANG.toMillis());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void assertWhole(byte[] m, int i) {
        assertNotNull(m, "message " + i + " did not come within " + HANG);
        assertEquals(BIG, m.length, "message " + i);
        for (int k = 0; k < m.length; k++) {
            if (m[k] != (byte) i) {
                fail("message " + i + " is torn at byte " + k + ": " + m[k]);
            }
        }
    }
}
