package org.multiprocessing4j.hazelcast.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Multiprocessing;

/**
 * The worker host of a real Hazelcast member started in this JVM (shut down at the end), fed START
 * requests directly on its control queue.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerHostTest {
    private static final byte[] KEY = "the worker host test's key, 32 b".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theLinkIdsRememberedAgainstReplaysStayBoundedAndARecentReplayIsStillRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(ClusterConfigs.member("mp4j-host-test-" + System.nanoTime(), "127.0.0.1", port,
                List.of("127.0.0.1:" + port), 1));
        Frames frames = new Frames(KEY);
        WorkerHost host = new WorkerHost(hz, frames, 4);
        try {
            String control = Protocol.controlQueue(hz.getCluster().getLocalMember().getUuid());
            byte[] last = null;
            String lastId = null;
            for (int i = 0; i < 10; i++) {
                lastId = UUID.randomUUID().toString();
                last = frames.seal(control, i, new Protocol.Start(0, lastId, UUID.randomUUID(), Multiprocessing.defaultContext().serializer().getName(), new byte[0]).encode());
                startAndStop(hz, frames, control, last, lastId);
                awaitEnded(host);
            }
            assertTrue(host.rememberedIds() <= 4, "link ids remembered: " + host.rememberedIds() + " (capacity 4)");
            // The last request replayed is refused: no worker answers it.
            hz.<byte[]>getQueue(control).add(last);
            IQueue<byte[]> answers = hz.getQueue(Protocol.answerQueue(lastId));
            assertNull(answers.poll(2, TimeUnit.SECONDS), "a replayed start request was served");
            answers.destroy();
        } finally {
            host.close();
            hz.shutdown();
        }
    }

    /**
     * Waits until the stopped worker has ended. NOTE: it destroys its answer queue when it ends, which fails
     * a poll still blocked on that queue (DistributedObjectDestroyedException): the replay check must poll after.
     */
    private static void awaitEnded(WorkerHost host) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (host.running() > 0) {
            assertTrue(System.nanoTime() < deadline, "a stopped worker still runs after 60 s");
            Thread.sleep(10);
        }
    }

    /** Sends {@code request}, waits for the worker's READY, then stops the worker (abandon: it ends silently). */
    private static void startAndStop(HazelcastInstance hz, Frames frames, String control, byte[] request, String linkId) throws InterruptedException {
        hz.<byte[]>getQueue(control).add(request);
        IQueue<byte[]> answers = hz.getQueue(Protocol.answerQueue(linkId));
        byte[] ready = answers.poll(60, TimeUnit.SECONDS);
        assertNotNull(ready, "no READY from worker " + linkId);
        assertNotNull(frames.open(Protocol.answerQueue(linkId), 1, ready));
        hz.<byte[]>getQueue(Protocol.taskQueue(linkId)).add(frames.seal(Protocol.taskQueue(linkId), 1, Protocol.stop(true)));
        assertEquals(Protocol.ANSWER, frames.open(Protocol.answerQueue(linkId), 1, ready)[0]);
    }
}
