package org.multiprocessing4j.internal.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/**
 * Every payload length comes back byte for byte: those of up to 8 bytes travel as one word of the record,
 * longer ones by bulk copy; records of every length wrap around a small data area through PADs.
 */
class SharedQueuePayloadTest extends ChildProcessTestBase {
    @Test
    void messages_of_every_length_from_0_to_40_bytes_come_back_whole_across_wrap_around() throws Exception {
        try (SharedQueue q = SharedQueue.create(0, 256)) {
            q.unlink();
            for (int round = 0; round < 20; round++) {
                for (int n = 0; n <= 40; n++) {
                    byte[] m = message(n, round);
                    assertTrue(q.put(m, 0), "room for " + n + " bytes in an empty queue");
                    assertArrayEquals(m, q.take(0), n + " bytes, round " + round);
                }
            }
            assertEquals(0, q.size());
            assertNull(q.take(0));
        }
    }

    @Test
    void small_messages_queued_together_do_not_spill_into_each_other() throws Exception {
        try (SharedQueue q = SharedQueue.create(0, 1024)) {
            q.unlink();
            for (int round = 0; round < 10; round++) {
                for (int n = 0; n <= 9; n++) {
                    assertTrue(q.put(message(n, round), 0));
                }
                for (int n = 0; n <= 9; n++) {
                    assertArrayEquals(message(n, round), q.take(0), n + " bytes, round " + round);
                }
            }
        }
    }

    /** {@code n} bytes, none zero, differing by position and round: a byte lost or moved shows. */
    private static byte[] message(int n, int round) {
        byte[] m = new byte[n];
        for (int k = 0; k < n; k++) {
            m[k] = (byte) (0x80 | (k * 7 + round * 13 + n) & 0x7F);
        }
        return m;
    }
}
