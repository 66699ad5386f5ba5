package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.io.EOFException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pipe corners a probing helper found broken: a poll that never sees its killed writer, and messages within a
 * few bytes of the longest array.
 */
class PipeCornersTest extends ChildProcessTestBase {
    /** Bound for "promptly": several futex slices on a loaded machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @Test
    void poll_alone_sees_a_killed_writer_as_the_end_of_the_pipe() throws Exception {
        // NOTE: before, poll() and polls shorter than a futex slice never looked at the writer's process:
        // a loop polling for the next message of a killed child spun for ever while recv() would throw EOF
        try (Pipe pipe = Pipe.open(false)) {
            Connection writer = pipe.right();
            Process p = new Process(checked(() -> {
                writer.send("ready");
                Thread.sleep(HANG.toMillis());
            }));
            p.start();
            Connection reader = pipe.left();
            assertEquals("ready", reader.recv());
            assertFalse(reader.poll(), "nothing to read while the writer lives");
            p.kill();
            p.join(HANG);
            assertEquals(-9, p.exitCode());
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            boolean ended;
            while (!(ended = reader.poll()) && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(ended, "poll() is true once the writer is dead: a receive would not block");
            assertTrue(reader.poll(Duration.ofNanos(1)), "and so is a poll with a timeout too short to sleep");
            assertThrows(EOFException.class, reader::recv);
        }
    }

    /**
     * recv()'s EOFException means "the peer is gone" (API.md): a loop reading until EOF stops there. Bytes sent with
     * sendBytes that do not decode as an object ended recv() with EOFException ("encoded object truncated")
     * while the peer was alive and had sent more, so such a loop stopped and lost the rest.
     */
    @Test
    void bytes_that_do_not_decode_fail_recv_without_reading_as_the_end_of_the_pipe() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            Connection reader = pipe.left();
            Connection writer = pipe.right();
            byte[][] truncated = {{0x10}, {0x10, 1, 2}, {(byte) 0xAC, (byte) 0xED, 0, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
            for (byte[] bytes : truncated) {
                writer.sendBytes(bytes);
                writer.send("after");
                try {
                    reader.recv(); // NOTE: a byte string may happen to decode; none may read as the end
                } catch (EOFException wrong) {
                    throw new AssertionError("a bad message read as the end of the pipe: " + wrong, wrong);
                } catch (java.io.IOException expected) {
                    // the message is consumed; the next one follows
                }
                assertEquals("after", reader.recv());
            }
        }
    }

    @Test
    void a_message_too_long_for_an_array_is_refused_and_the_longest_one_arrives_whole() throws Exception {
        // NOTE: before, the record size (header + length rounded up to 8) wrapped to a negative int for a length
        // over 2^31 - 16: sendBytes threw IndexOutOfBoundsException from the ring's memory segment, for the
        // longest lengths a receiver can hold too
        long heap = Runtime.getRuntime().maxMemory();
        assumeTrue(heap >= (5L << 30), "needs two arrays of 2 GiB; max heap " + heap);
        int longest = Integer.MAX_VALUE - 8;
        byte[] huge = new byte[Integer.MAX_VALUE - 7];
        huge[0] = 1;
        huge[longest / 2] = 2;
        huge[longest - 1] = 3;
        try (Pipe pipe = Pipe.open(false)) {
            Connection reader = pipe.left();
            Connection writer = pipe.right();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> writer.sendBytes(huge, 0, longest + 1));
            assertTrue(e.getMessage().contains(Integer.toString(longest)), e.getMessage());
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    writer.sendBytes(huge, 0, longest);
                    writer.send("after");
                } catch (Exception failed) {
                    throw new RuntimeException(failed);
                }
            });
            byte[] got = reader.recvBytes();
            sent.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(longest, got.length);
            assertEquals(1, got[0]);
            assertEquals(2, got[longest / 2]);
            assertEquals(3, got[longest - 1]);
            got = null;
            assertEquals("after", reader.recv(), "nothing of the refused message was sent");
        }
    }
}
