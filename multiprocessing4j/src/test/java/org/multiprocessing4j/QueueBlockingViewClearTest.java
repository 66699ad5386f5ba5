package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

/** The {@link BlockingQueue} view's {@code clear} while other producers keep putting. */
class QueueBlockingViewClearTest extends ChildProcessTestBase {

    /**
     * {@code clear} polled until the queue was empty, so a producer that kept pace with it (here: every item taken
     * is put back at once, as another process's producer could) kept it from ever returning. It now takes at most
     * the items there at its start, as {@code drainTo} does. The queue gives up after 100 takes so that the old
     * code fails instead of hanging.
     */
    @Test
    void clear_ends_while_a_producer_keeps_pace_with_it() throws Exception {
        int[] taken = {0};
        try (Queue<Integer> q = new Queue<>() {
            @Override
            public Integer getNowait() {
                Integer item = super.getNowait();
                if (++taken[0] > 100) {
                    throw new IllegalStateException("clear took 100 items from a queue of 5");
                }
                putNowait(item); // NOTE: a producer elsewhere, exactly as fast as clear
                return item;
            }
        }) {
            for (int i = 0; i < 5; i++) {
                q.put(i);
            }
            q.asBlockingQueue().clear();
            assertEquals(5, taken[0], "clear took the items there were at its start");
            assertEquals(5, q.qsize(), "the items put meanwhile stay");
        }
    }
}
