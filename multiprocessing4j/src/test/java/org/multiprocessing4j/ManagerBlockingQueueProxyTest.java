package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A registered {@code BlockingQueue} through a proxy in another JVM than the manager's, against the j.u.c contract. */
class ManagerBlockingQueueProxyTest extends ChildProcessTestBase {

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void drainTo_puts_the_drained_elements_in_the_callers_collection() throws Exception {
        try (Manager manager = Manager.builder().register(BlockingQueue.class, LinkedBlockingQueue::new).start()) {
            BlockingQueue<Integer> queue = manager.create(BlockingQueue.class);
            queue.addAll(List.of(1, 2, 3, 4, 5));
            List<Integer> into = new ArrayList<>(List.of(0));
            // NOTE: the manager filled a copy of `into` and dropped it: 2 returned, `into` unchanged, both elements lost
            assertEquals(2, queue.drainTo(into, 2));
            assertEquals(List.of(0, 1, 2), into);
            List<Integer> other = manager.list();
            assertEquals(3, queue.drainTo(other));
            assertEquals(List.of(3, 4, 5), other, "into another proxy");
            assertTrue(queue.isEmpty());
            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(queue), "as the BlockingQueue contract says");
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void drainTo_through_a_proxy_in_the_servers_own_jvm_fills_the_callers_collection() throws Exception {
        byte[] key = "drain-key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        BlockingQueue<Integer> jobs = new LinkedBlockingQueue<>(List.of(1, 2, 3));
        try (ManagerServer server = Manager.server(new java.net.InetSocketAddress("127.0.0.1", 0), key)
                .register("jobs", () -> jobs).start();
                RemoteManager client = Manager.connect(server.address(), key)) {
            BlockingQueue<Integer> queue = client.get("jobs", BlockingQueue.class);
            List<Integer> into = new ArrayList<>();
            assertEquals(3, queue.drainTo(into));
            assertEquals(List.of(1, 2, 3), into);
            assertTrue(jobs.isEmpty());
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void equals_with_an_object_that_cannot_be_serialized_is_false() throws Exception {
        try (Manager manager = Manager.builder().register(BlockingQueue.class, LinkedBlockingQueue::new).start()) {
            BlockingQueue<Integer> queue = manager.create(BlockingQueue.class);
            // NOTE: threw IllegalArgumentException (cannot serialize a call): equals never throws
            assertFalse(queue.equals(new Object()));
            assertFalse(queue.equals(Thread.currentThread()));
            assertTrue(queue.equals(queue));
        }
    }
}
