package org.multiprocessing4j.bench.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadPoolTwinTest {

    @Test
    void mapReturnsEveryResultInInputOrderWhateverTheChunksize() {
        try (ThreadPoolTwin twin = ThreadPoolTwin.started(2)) {
            for (int chunksize : new int[] {1, 7, 1000}) {
                List<Long> squares = twin.map(PoolTasks.SQUARE, new IntRange(100), chunksize);
                assertEquals(100, squares.size());
                for (int i = 0; i < 100; i++) {
                    assertEquals((long) i * i, squares.get(i), "item " + i + " with chunksize " + chunksize);
                }
            }
        }
    }

    @Test
    void imapKeepsInputOrderAndImapUnorderedYieldsEveryResultOnce() {
        try (ThreadPoolTwin twin = ThreadPoolTwin.started(2)) {
            List<Long> ordered = new ArrayList<>();
            twin.imap(PoolTasks.SQUARE, new IntRange(2500), 1000).forEachRemaining(ordered::add);
            assertEquals(twin.map(PoolTasks.SQUARE, new IntRange(2500), 1), ordered);
            long sum = 0;
            int count = 0;
            for (Iterator<Long> it = twin.imapUnordered(PoolTasks.SQUARE, new IntRange(2500), 1000); it.hasNext(); count++) {
                sum += it.next();
            }
            assertEquals(2500, count);
            assertEquals(PoolTasks.sumOfSquares(2500), sum);
        }
    }

    @Test
    void theTaskFunctionsGiveTheReadmesFigures() {
        assertEquals(2_666_646_666_700_000L, PoolTasks.cpuTask(200_000));
        assertEquals(333_332_833_333_500_000L, PoolTasks.sumOfSquares(1_000_000));
        assertEquals(9L, PoolTasks.SQUARE.apply(3));
        assertEquals(9L, PoolTasks.SQUARE.apply(3L));
        assertEquals(1 << 20, PoolTasks.PAYLOAD_LEN.apply(new byte[1 << 20]));
        assertEquals(3, new IntRange(3).size());
        assertThrows(IndexOutOfBoundsException.class, () -> new IntRange(3).get(3));
        assertThrows(IllegalArgumentException.class, () -> new IntRange(-1));
    }
}
