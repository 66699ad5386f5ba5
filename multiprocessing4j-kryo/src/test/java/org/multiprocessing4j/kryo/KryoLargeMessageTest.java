package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Messages larger than a gibibyte, and the memory a large message leaves behind. */
class KryoLargeMessageTest {

    /** Not Serializable, so the whole holder goes through Kryo (a bare byte[] never reaches the codec). */
    static final class Blob {
        byte[] data;
    }

    @Test
    void a_message_larger_than_one_gibibyte_is_written_and_read() throws Exception {
        long max = Runtime.getRuntime().maxMemory();
        org.junit.jupiter.api.Assumptions.assumeTrue(max >= (5L << 30), "needs a heap of 5 GiB, has " + max);
        KryoSerializer codec = new KryoSerializer();
        Blob blob = new Blob();
        blob.data = new byte[(1 << 30) + (1 << 26)]; // 1.06 GiB: Kryo's buffer doubled past 2^31 and went negative
        blob.data[blob.data.length - 1] = 42;
        byte[] bytes = codec.toBytes(blob);
        blob = null;
        Blob copy = (Blob) codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
        assertEquals((1 << 30) + (1 << 26), copy.data.length);
        assertEquals(42, copy.data[copy.data.length - 1]);
    }

    @Test
    void a_thread_does_not_keep_the_buffer_of_a_large_message_after_sending_it() {
        KryoSession session = new KryoSession(true);
        Blob blob = new Blob();
        blob.data = new byte[8 << 20];
        session.write(blob);
        assertTrue(session.retainedBufferBytes() <= KryoSession.MAX_RETAINED_BUFFER_BYTES,
                "an idle thread keeps " + session.retainedBufferBytes() + " bytes for its next message");
    }
}
