package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge cases of JoinableQueue, Queue close and Connections.waitFor found by a probing helper. */
class QueueEdgeTest extends ChildProcessTestBase {

    /**
     * CPython's task_done refuses only calls beyond the items put: an item whose put returned counts, even while
     * it waits in the producer's feeder because the shared memory is full (join() already counted it).
     */
    @Test
    void taskDone_counts_an_item_whose_put_returned_while_it_waits_in_the_feeder() throws Exception {
        try (JoinableQueue<byte[]> q = new JoinableQueue<>(0, 1024)) {
            for (int i = 0; i < 3; i++) {
                q.put(new byte[400]); // NOTE: the third does not fit the 1024 bytes: this process's feeder holds it
            }
            Throwable refused = null;
            try {
                for (int i = 0; i < 3; i++) {
                    q.taskDone();
                }
                q.join();
            } catch (IllegalStateException e) {
                refused = e;
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(400, q.get(HANG).length); // NOTE: before asserting: a pending feeder would hold up exit
            }
            if (refused != null) {
                throw new AssertionError("taskDone() refused after 3 puts", refused);
            }
            IllegalStateException extra = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, q::taskDone);
            assertTrue(extra.getMessage().contains("more times"), extra.getMessage());
        }
    }

    /**
     * Python's {@code p.sentinel} is the same value each time, so {@code p.sentinel in wait([...])} works; the
     * Java form {@code waitFor(...).contains(p.sentinel())} must too.
     */
    @Test
    void waitFor_results_contain_a_sentinel_asked_for_again() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Process p = new Process(() -> { });
            p.start();
            assertEquals(0, joined(p));
            List<Object> ready = Connections.waitFor(List.of(pipe.left(), p.sentinel()), HANG);
            assertTrue(ready.contains(p.sentinel()), "ready: " + ready);
            assertEquals(p.sentinel(), p.sentinel());
            assertEquals(p.sentinel().hashCode(), p.sentinel().hashCode());
        }
    }

    /**
     * CPython: a queue closed in the parent (close() only says this process puts no more) keeps working in a
     * child started before. Here the creator's close() removes the shared file, so a child that had not attached
     * yet loses the items (IllegalStateException: its shared file is gone). Documented in Queue's class doc, but
     * whether a real program works depends on when the child first touched the queue.
     */
    @Test
    void a_child_started_before_the_creator_closed_the_queue_still_gets_the_items() throws Exception {
        Queue<Integer> q = new Queue<>();
        try (Queue<Integer> out = new Queue<>(); Event go = new Event()) {
            q.put(1);
            q.put(2);
            Process c = new Process(checked(() -> {
                go.await();
                out.put(q.get() + q.get());
            }));
            c.start();
            q.close();
            q.joinThread();
            go.set();
            assertEquals(3, out.get(HANG));
            assertEquals(0, joined(c));
        } finally {
            q.close();
        }
    }
}
