package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An unbounded queue's handle attached before its creator closed it cannot make a feeder (the file is gone), so
 * a put that finds the shared memory full waits for room itself: {@code putNowait} and a timed put must still
 * keep to their timeouts, as they do on a bounded queue.
 */
class UnboundedQueueAfterCreatorCloseTest extends ChildProcessTestBase {

    @Test
    void putNowait_and_a_timed_put_on_full_shared_memory_give_up_instead_of_waiting_for_a_get() throws Exception {
        Queue<String> q = new Queue<>(0, 128);
        Queue<String> other = Queue.separateHandle(q);
        other.qsize(); // NOTE: maps it now, before the creator closes it (which removes the file)
        q.close();
        String item = "A".repeat(70); // NOTE: one fills the 128-byte shared memory
        try {
            other.put(item);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertThrows(QueueFullException.class, () -> other.putNowait(item));
                assertThrows(QueueFullException.class, () -> other.put(item, Duration.ofMillis(200)));
            }, "a put that may not wait waited for a get");
            assertEquals(1, other.qsize(), "the refused puts hold no place");
            assertEquals(item, other.get(HANG));
            assertEquals(0, other.qsize());
        } finally {
            other.close();
        }
    }
}
