package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.JoinableQueue;

/**
 * A put into a full joinable cluster queue is not counted while it waits for room (CPython does not count
 * such a put either), so a producer killed while it waits cannot leave the unfinished count too high and
 * hold {@code join()} for ever. The count is sampled while the put waits: it may include the put at its
 * first try only (a count and an offer made at once, as for a queue with room), not at its polls for room.
 * (Killing the producer's member at a chosen moment is not possible from a test; the sample shows every
 * moment at which such a kill would have left the count too high.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterJoinableQueueFullPutCountTest {
    /** How long the waiting put's count is watched: many of its polls for room. */
    private static final Duration WATCH = Duration.ofSeconds(5);

    @Test
    void aPutWaitingForRoomIsNeverCountedWhileItWaits() throws Exception {
        try (MemberCluster cluster = new MemberCluster(1, 1)) {
            Context context = cluster.context(Duration.ofSeconds(20));
            JoinableQueue<String> jobs = context.joinableQueue(1);
            jobs.put("first"); // the queue is full
            IMap<String, Long> count = unfinishedCountOf(cluster);
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                try {
                    jobs.put("second");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // NOTE: the put's first try counts and offers at once (the usual case has room); the tries that follow
            // while the queue stays full must not count. Counted: the times the count rose above the one item.
            int rises = 0;
            long last = 1;
            List<Long> seen = new ArrayList<>();
            long end = System.nanoTime() + WATCH.toNanos();
            while (System.nanoTime() - end < 0 && !producer.isDone()) {
                Long now = count.get("unfinished");
                long n = now == null ? 0 : now;
                if (n != 1 && last == 1) {
                    rises++;
                    seen.add(n);
                }
                last = n;
            }
            assertTrue(!producer.isDone(), "the put did not wait for room: " + producer);
            assertEquals("first", jobs.get(MemberCluster.HANG));
            jobs.taskDone();
            producer.get(MemberCluster.HANG.toSeconds(), TimeUnit.SECONDS);
            assertEquals("second", jobs.get(MemberCluster.HANG));
            jobs.taskDone();
            jobs.join();
            assertTrue(rises <= 1, "while the put waited for room, the unfinished count included it " + rises + " times, "
                    + "not only at its first try (a producer killed then would hold join() for ever): "
                    + seen.subList(0, Math.min(10, seen.size())));
        }
    }

    /** The IMap that holds the unfinished count of the only joinable queue of the cluster. */
    @SuppressWarnings("unchecked")
    private static IMap<String, Long> unfinishedCountOf(MemberCluster cluster) {
        IMap<String, Long> found = null;
        for (DistributedObject o : cluster.workers.hazelcast().getDistributedObjects()) {
            if (o.getName().startsWith("mp4j.jq.")) {
                found = (IMap<String, Long>) cluster.workers.hazelcast().<String, Long>getMap(o.getName());
            }
        }
        assertNotNull(found, "no unfinished count map");
        return found;
    }
}
