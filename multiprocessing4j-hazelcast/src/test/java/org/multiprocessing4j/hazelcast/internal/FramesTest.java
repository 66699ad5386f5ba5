package org.multiprocessing4j.hazelcast.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The signed frames: a good frame opens; any change, another key, another queue or a replay does not. */
class FramesTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final Frames frames = new Frames(KEY);
    private final byte[] body = "a task".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aGoodFrameOpensToItsBody() {
        assertArrayEquals(body, frames.open("q", 1, frames.seal("q", 1, body)));
        assertArrayEquals(body, frames.open("q", Frames.ANY_SEQ, frames.seal("q", 77, body)));
    }

    @Test
    void everyFlippedBitIsRefused() {
        byte[] frame = frames.seal("q", 1, body);
        for (int i = 0; i < frame.length * 8; i++) {
            byte[] bad = frame.clone();
            bad[i / 8] ^= (byte) (1 << (i % 8));
            assertNull(frames.open("q", Frames.ANY_SEQ, bad), "bit " + i);
        }
    }

    @Test
    void anotherKeyQueueOrNumberIsRefused() {
        byte[] frame = frames.seal("q", 1, body);
        assertNull(new Frames("another key of 16+ bytes".getBytes(StandardCharsets.US_ASCII)).open("q", 1, frame));
        assertNull(frames.open("other-queue", 1, frame), "moved to another queue");
        assertNull(frames.open("q", 2, frame), "replayed after number 1");
        assertArrayEquals(body, frames.open("q", 1, frames.seal("q", 3, body)), "a later number is accepted (frames lost before)");
        assertNull(frames.open("q", 1, new byte[10]), "shorter than a MAC");
        assertNull(frames.open("q", 1, null));
    }

    @Test
    void aShortKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Frames(new byte[15]));
    }
}
