package org.multiprocessing4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/** One ring, both ends in this JVM: a writer thread and the test thread (or two test-made threads). */
class SpscRingTest extends ChildProcessTestBase {
    /** The smallest ring: wrap-around and streaming happen after a few messages. */
    private static final int SMALL = RingLayout.MIN_CAPACITY;
    /** How long a test lets a thread get into a blocking call before acting on it. */
    private static final long SETTLE_MILLIS = 50;

    private SpscRing ring;

    @BeforeEach
    void createRing() throws Exception {
        ring = SpscRing.create(SMALL);
    }

    @AfterEach
    void removeRing() throws Exception {
        ring.close();
        ring.unlink();
    }

    @Test
    void messages_arrive_in_order_whole_and_unmerged_including_empty_ones() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        List<byte[]> sent = List.of(new byte[0], bytes("a"), new byte[0], new byte[0], bytes("bc"), bytes("defghijkl"));
        for (byte[] m : sent) {
            w.write(m, 0, m.length);
        }
        for (byte[] m : sent) {
            assertArrayEquals(m, r.read());
        }
        assertNull(r.read(Duration.ZERO));
    }

    @Test
    void a_slice_of_an_array_is_sent_as_it_is() throws Exception {
        SpscWriter w = ring.writer();
        w.write(bytes("xxhelloxx"), 2, 5);
        assertArrayEquals(bytes("hello"), ring.reader().read());
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(new byte[4], 2, 3));
    }

    @Test
    void a_hundred_thousand_messages_of_varied_sizes_wrap_around_a_small_ring() throws Exception {
        int count = 100_000;
        SpscReader r = ring.reader();
        CompletableFuture<Void> writer = writeAsync(ring.writer(), count, i -> message(i, i % 300));
        for (int i = 0; i < count; i++) {
            assertArrayEquals(message(i, i % 300), r.read(), "message " + i);
        }
        writer.get(HANG.toSeconds(), TimeUnit.SECONDS);
        assertNull(r.read(Duration.ZERO));
    }

    @Test
    void messages_longer_than_the_ring_stream_through_it_in_pieces() throws Exception {
        int quarter = SMALL / 4;
        int[] sizes = {quarter - 9, quarter - 8, quarter - 7, quarter, quarter + 1, SMALL - 1, SMALL, SMALL + 1,
            3 * SMALL + 5, 100_000, 1 << 20, 0, 1};
        SpscReader r = ring.reader();
        CompletableFuture<Void> writer = writeAsync(ring.writer(), sizes.length, i -> random(i, sizes[i]));
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(random(i, sizes[i]), r.read(), "message of " + sizes[i] + " bytes");
        }
        writer.get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void readInto_reuses_one_buffer_for_whole_and_streamed_messages_and_each_arrives_exactly() throws Exception {
        int[] sizes = {10, SMALL / 4 - 8, 3 * SMALL + 5, 0, 100, SMALL + 1, 7, 1 << 20, 5};
        SpscReader r = ring.reader();
        CompletableFuture<Void> writer = writeAsync(ring.writer(), sizes.length, i -> random(i, sizes[i]));
        MessageBuffer buffer = new MessageBuffer();
        byte[] grown = null;
        for (int i = 0; i < sizes.length; i++) {
            r.readInto(buffer);
            assertEquals(sizes[i], buffer.length(), "length of message " + i);
            assertArrayEquals(random(i, sizes[i]), java.util.Arrays.copyOf(buffer.array(), buffer.length()), "message " + i);
            if (sizes[i] == 3 * SMALL + 5) {
                grown = buffer.array();
            } else if (grown != null && sizes[i] <= 3 * SMALL + 5) {
                assertTrue(buffer.array() == grown, "a message that fits is read into the same array");
            }
            if (sizes[i] > 3 * SMALL + 5) {
                grown = null;
            }
        }
        writer.get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void a_streamed_message_begun_by_a_timed_read_that_gave_up_is_finished_by_readInto_and_vice_versa() throws Exception {
        SpscReader r = ring.reader();
        int size = 8 * SMALL + 3;
        CompletableFuture<Void> writer = writeAsync(ring.writer(), 2, i -> random(100 + i, size));
        Thread.sleep(SETTLE_MILLIS); // the ring is full of pieces of message 0; the writer waits for room
        byte[] first = r.read(Duration.ZERO); // takes the pieces there are, then (most likely) gives up midway
        MessageBuffer buffer = new MessageBuffer();
        if (first == null) {
            r.readInto(buffer);
            first = java.util.Arrays.copyOf(buffer.array(), buffer.length());
        }
        assertArrayEquals(random(100, size), first);
        byte[] second = null;
        while (second == null) {
            second = r.read(Duration.ofMillis(1)); // may give up between pieces
            if (second == null) {
                r.readInto(buffer);
                second = java.util.Arrays.copyOf(buffer.array(), buffer.length());
            }
        }
        assertArrayEquals(random(101, size), second);
        writer.get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void writeNow_writes_the_messages_that_fit_whole_now_and_stops_at_the_first_that_does_not() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        int piece = SMALL / 4 - 16; // a record of a quarter of the ring, less a little
        List<MessageSource> six = List.of(source(random(1, piece)), source(random(2, piece)), source(random(3, piece)),
                source(random(4, piece)), source(random(5, piece)), source(random(6, 10)));
        int written = w.writeNow(six);
        assertEquals(4, written, "four records fill the ring; the fifth does not fit, and the small sixth is not written past it");
        for (int i = 0; i < written; i++) {
            assertArrayEquals(random(i + 1, piece), r.read(Duration.ZERO), "message " + i);
        }
        assertNull(r.read(Duration.ZERO), "nothing past what was written");
        assertEquals(0, w.writeNow(List.of(source(random(6, SMALL)))), "longer than one record: not written");
        assertEquals(2, w.writeNow(List.of(source(random(7, 5)), source(new byte[0]))));
        assertArrayEquals(random(7, 5), r.read(Duration.ZERO));
        assertArrayEquals(new byte[0], r.read(Duration.ZERO));
        r.close();
        assertThrows(BrokenRingException.class, () -> w.writeNow(List.of(source(random(8, 5)))));
    }

    private static MessageSource source(byte[] bytes) {
        return new MessageSource() {
            @Override
            public int length() {
                return bytes.length;
            }

            @Override
            public void copyTo(int from, java.lang.foreign.MemorySegment dst, long at, int n) {
                java.lang.foreign.MemorySegment.copy(bytes, from, dst, ValueLayout.JAVA_BYTE, at, n);
            }
        };
    }

    @Test
    void readNow_returns_what_is_whole_in_the_ring_and_null_otherwise_never_waiting() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        assertNull(r.readNow(), "empty ring");
        w.write(bytes("one"), 0, 3);
        w.write(bytes("two"), 0, 3);
        assertArrayEquals(bytes("one"), r.readNow());
        assertArrayEquals(bytes("two"), r.readNow());
        assertNull(r.readNow());
        int size = 3 * SMALL + 1;
        CompletableFuture<Void> writer = writeAsync(w, 1, i -> random(7, size));
        Thread.sleep(SETTLE_MILLIS); // the ring is full of the first pieces; the writer waits for room
        byte[] streamed = r.readNow(); // takes the pieces there are; null unless the writer kept up to the end
        if (streamed == null) {
            streamed = r.read(); // the pieces taken so far were kept
        }
        assertArrayEquals(random(7, size), streamed, "never a part of a message");
        writer.get(HANG.toSeconds(), TimeUnit.SECONDS);
        w.write(bytes("last"), 0, 4);
        w.close();
        assertArrayEquals(bytes("last"), r.readNow(), "what was sent before close comes first");
        assertThrows(EOFException.class, r::readNow);
    }

    @Test
    void the_reader_gets_every_message_then_EOF_when_the_writer_closes_and_EOF_again_after() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        for (int i = 0; i < 3; i++) {
            w.write(message(i, 10), 0, 14);
        }
        w.close();
        w.close();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(message(i, 10), r.read());
        }
        assertThrows(EOFException.class, r::read);
        assertThrows(EOFException.class, () -> r.read(Duration.ZERO));
        assertTrue(r.poll(Duration.ZERO), "EOF is readable");
        assertThrows(ClosedChannelException.class, () -> w.write(new byte[1], 0, 1));
    }

    @Test
    void a_reader_blocked_on_an_empty_ring_gets_EOF_when_the_writer_closes() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        CompletableFuture<byte[]> read = readAsync(r);
        Thread.sleep(SETTLE_MILLIS);
        w.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(EOFException.class, e.getCause());
    }

    @Test
    void an_unannounced_message_reaches_a_reader_asleep_on_the_empty_ring_without_a_wake_up() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        CompletableFuture<byte[]> read = readAsync(r);
        Thread.sleep(SETTLE_MILLIS); // past its spin: asleep on the futex
        assertTrue(w.writeUnannounced(bytes("quiet"), 0, 5));
        assertArrayEquals(bytes("quiet"), read.get(HANG.toSeconds(), TimeUnit.SECONDS), "seen at the end of the reader's slice");
    }

    @Test
    void unannounced_messages_and_the_normal_one_after_them_arrive_in_order() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        for (int i = 0; i < 3; i++) {
            assertTrue(w.writeUnannounced(message(i, i), 0, 4 + i));
        }
        w.write(message(3, 0), 0, 4);
        w.announce(); // nothing left unannounced: a no-op
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(message(i, i == 3 ? 0 : i), r.read(Duration.ZERO), "message " + i);
        }
        assertNull(r.read(Duration.ZERO));
    }

    @Test
    void an_unannounced_write_refuses_what_does_not_fit_now_and_writes_nothing_of_it() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        assertFalse(w.writeUnannounced(new byte[SMALL / 2], 0, SMALL / 2), "longer than one record");
        int accepted = 0;
        while (w.writeUnannounced(message(accepted, 100), 0, 104)) {
            accepted++;
        }
        assertTrue(accepted > 0 && accepted < SMALL / 100, "filled the ring: " + accepted);
        w.announce();
        for (int i = 0; i < accepted; i++) {
            assertArrayEquals(message(i, 100), r.read(Duration.ZERO), "message " + i);
        }
        assertNull(r.read(Duration.ZERO), "nothing of the refused messages");
    }

    @Test
    void a_write_after_the_reader_closed_throws_BrokenRingException() throws Exception {
        SpscWriter w = ring.writer();
        ring.reader().close();
        assertThrows(BrokenRingException.class, () -> w.write(new byte[1], 0, 1));
    }

    @Test
    void a_writer_blocked_on_a_full_ring_throws_BrokenRingException_when_the_reader_closes() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        CompletableFuture<Void> writer = writeAsync(w, Integer.MAX_VALUE, i -> new byte[100]);
        Thread.sleep(SETTLE_MILLIS);
        assertFalse(writer.isDone(), "the ring is full and nobody reads");
        r.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> writer.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(BrokenRingException.class, e.getCause());
    }

    @Test
    void a_timed_read_of_an_empty_ring_returns_null_and_poll_consumes_nothing() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        assertNull(r.read(Duration.ofMillis(30)));
        assertNull(r.read(Duration.ofMillis(-1)));
        assertFalse(r.poll(Duration.ofMillis(30)));
        w.write(bytes("x"), 0, 1);
        assertTrue(r.poll(Duration.ZERO));
        assertTrue(r.poll(Duration.ZERO));
        assertArrayEquals(bytes("x"), r.read(Duration.ZERO));
        assertFalse(r.poll(Duration.ZERO));
    }

    @Test
    void a_timed_write_into_a_full_ring_returns_false_and_delivers_nothing() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        int written = 0;
        while (w.write(message(written, 100), 0, 104, Duration.ZERO)) {
            written++;
        }
        assertFalse(w.write(message(written, 100), 0, 104, Duration.ofMillis(30)));
        byte[] big = random(1, 10 * SMALL);
        assertFalse(w.write(big, 0, big.length, Duration.ofMillis(30)), "a streamed message that cannot start");
        for (int i = 0; i < written; i++) {
            assertArrayEquals(message(i, 100), r.read());
        }
        assertNull(r.read(Duration.ZERO), "nothing of the refused messages arrived");
    }

    @Test
    void a_streamed_message_cut_short_by_a_timeout_is_dropped_and_the_next_one_arrives_whole() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        byte[] big = random(7, 10 * SMALL);
        assertFalse(w.write(big, 0, big.length, Duration.ofMillis(30)), "nobody reads: it stops after a few pieces");
        assertNull(r.read(Duration.ZERO), "the pieces so far are not a message");
        w.write(bytes("next"), 0, 4);
        assertArrayEquals(bytes("next"), r.read());
    }

    @Test
    void an_interrupted_writer_mid_message_aborts_it_and_the_next_message_arrives_whole() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        byte[] big = random(3, 10 * SMALL);
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            thread.complete(Thread.currentThread());
            try {
                w.write(big, 0, big.length);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(SETTLE_MILLIS);
        thread.get().interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> writer.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, e.getCause().getCause());
        w.write(bytes("after"), 0, 5);
        assertArrayEquals(bytes("after"), r.read(), "the torn message was dropped");
    }

    @Test
    void an_interrupt_ends_a_blocked_read_and_leaves_no_sleeper_registered() throws Exception {
        ring.writer();
        SpscReader r = ring.reader();
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            thread.complete(Thread.currentThread());
            try {
                return r.read();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(SETTLE_MILLIS);
        thread.get().interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, e.getCause().getCause());
        assertEquals(0, ring.segment().get(ValueLayout.JAVA_INT, RingLayout.DATA_SLEEPERS));
    }

    @Test
    void closing_the_reader_from_another_thread_ends_a_blocked_read_with_AsynchronousCloseException() throws Exception {
        ring.writer();
        SpscReader r = ring.reader();
        CompletableFuture<byte[]> read = readAsync(r);
        Thread.sleep(SETTLE_MILLIS);
        r.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("closed by another thread"), "says what happened: " + e.getCause().getMessage());
        assertThrows(ClosedChannelException.class, r::read);
    }

    @Test
    void closing_the_ring_under_a_blocked_reader_unmaps_it_once_the_reader_has_left() throws Exception {
        try (SpscRing writerSide = SpscRing.attach(ring.path())) {
            writerSide.writer();
            SpscReader r = ring.reader();
            CompletableFuture<byte[]> read = readAsync(r);
            Thread.sleep(SETTLE_MILLIS);
            ring.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertThrows(IllegalStateException.class, ring::reader);
            assertThrows(ClosedChannelException.class, r::read);
        }
    }

    @Test
    void unlinking_the_file_under_attached_ends_disturbs_nothing_but_new_attaches() throws Exception {
        SpscWriter w = ring.writer();
        SpscReader r = ring.reader();
        w.write(bytes("before"), 0, 6);
        ring.unlink();
        w.write(bytes("after"), 0, 5);
        assertArrayEquals(bytes("before"), r.read());
        assertArrayEquals(bytes("after"), r.read());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SpscRing.attach(ring.path()));
    }

    @Test
    void each_end_is_claimed_once() throws Exception {
        ring.writer();
        ring.reader();
        IllegalStateException e = assertThrows(IllegalStateException.class, ring::writer);
        assertTrue(e.getMessage().contains("writer end") && e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                e.getMessage());
        try (SpscRing other = SpscRing.attach(ring.path())) {
            assertThrows(IllegalStateException.class, other::reader);
        }
    }

    @Test
    void the_ring_records_its_creator() {
        assertEquals(ProcessHandle.current().pid(), ring.creator().pid());
        assertEquals(SMALL, ring.capacity());
    }

    @Test
    void a_capacity_that_is_not_a_power_of_two_in_range_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> SpscRing.create(3000));
        assertThrows(IllegalArgumentException.class, () -> SpscRing.create(512));
    }

    private static CompletableFuture<Void> writeAsync(SpscWriter w, int count, java.util.function.IntFunction<byte[]> message) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    byte[] m = message.apply(i);
                    w.write(m, 0, m.length);
                }
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private static CompletableFuture<byte[]> readAsync(SpscReader r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return r.read();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Message {@code i}: its number in 4 bytes, then {@code extra} bytes derived from it. */
    static byte[] message(int i, int extra) {
        byte[] m = new byte[4 + extra];
        java.nio.ByteBuffer.wrap(m).putInt(i);
        for (int k = 0; k < extra; k++) {
            m[4 + k] = (byte) (i * 31 + k);
        }
        return m;
    }

    static byte[] random(long seed, int size) {
        byte[] m = new byte[size];
        new SplittableRandom(seed).nextBytes(m);
        return m;
    }
}
