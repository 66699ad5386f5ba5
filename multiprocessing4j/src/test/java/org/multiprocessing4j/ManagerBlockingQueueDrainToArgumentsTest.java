package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code BlockingQueue.drainTo} through a manager proxy with the arguments its contract refuses: a null
 * collection ({@link NullPointerException}) and the queue itself named by another proxy
 * ({@link IllegalArgumentException}); either way no element leaves the queue.
 */
class ManagerBlockingQueueDrainToArgumentsTest extends ChildProcessTestBase {

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void drainTo_null_throws_NullPointerException_and_keeps_the_elements() throws Exception {
        try (Manager manager = Manager.builder().register(BlockingQueue.class, LinkedBlockingQueue::new).start()) {
            BlockingQueue<Integer> queue = manager.create(BlockingQueue.class);
            queue.addAll(List.of(1, 2, 3));
            // NOTE: the manager put its own list in place of the null, drained into it, and the proxy returned
            // that list for an int (ClassCastException): the elements were gone
            assertThrows(NullPointerException.class, () -> queue.drainTo(null));
            assertThrows(NullPointerException.class, () -> queue.drainTo(null, 2));
            assertEquals(3, queue.size(), "no element left the queue");
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("unchecked")
    void drainTo_another_proxy_of_the_same_queue_throws_IllegalArgumentException() throws Exception {
        try (Manager manager = Manager.builder().register(BlockingQueue.class, LinkedBlockingQueue::new).start()) {
            BlockingQueue<Integer> queue = manager.create(BlockingQueue.class);
            queue.addAll(List.of(1, 2, 3));
            List<Object> holder = manager.list();
            holder.add(queue);
            BlockingQueue<Integer> same = (BlockingQueue<Integer>) holder.get(0);
            assertNotSame(queue, same, "a second proxy of the queue");
            assertEquals(queue, same);
            // NOTE: the drained elements were added back through the other proxy: drainTo returned 3 and the queue
            // was drained into itself, which the BlockingQueue contract refuses
            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(same));
            assertEquals(3, queue.size());
        }
    }
}
