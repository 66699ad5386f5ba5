package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Permits that a process took and then ended in an orderly way (its run returned, {@code System.exit},
 * SIGTERM) or closed its handle are consumed, as in CPython: owner-death recovery gives back only the
 * permits of a process killed while holding them ({@link SemaphoreEventTest} covers those). The
 * producer/consumer counting pattern depends on it.
 */
class SemaphoreConsumedPermitsTest extends ChildProcessTestBase {
    /** How long an acquire that must find no permit waits: past the reclaim on entry and a futex slice. */
    private static final Duration NO_PERMIT_WAIT = Duration.ofMillis(200);

    @Test
    void items_a_consumer_child_took_before_returning_normally_do_not_come_back() throws Exception {
        try (Semaphore items = new Semaphore(0)) {
            items.release();
            items.release();
            Process consumer = new Process(checked(() -> {
                items.acquire();
                items.acquire();
            }));

            assertEquals(0, run(consumer));

            assertFalse(items.acquire(NO_PERMIT_WAIT), "a phantom item: the consumer's permits came back");
            assertEquals(0, items.getValue());
            assertEquals(0, items.recoveredPermits());
        }
    }

    @Test
    void a_bounded_token_a_child_took_before_returning_normally_stays_taken_and_may_be_released_once_here() throws Exception {
        try (BoundedSemaphore token = new BoundedSemaphore(1)) {
            Process taker = new Process(checked(token::acquire));

            assertEquals(0, run(taker));

            assertFalse(token.tryAcquire(), "the child's token came back");
            assertEquals(0, token.recoveredPermits());
            token.release(); // Python: any process may return the token the child took
            assertEquals(1, token.getValue());
            assertThrows(IllegalStateException.class, token::release);
            assertEquals(1, token.getValue());
        }
    }

    @Test
    void permits_of_a_child_that_closed_its_handle_and_returned_normally_do_not_come_back() throws Exception {
        try (Semaphore s = new Semaphore(2)) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                s.acquire();
                s.close();
            }));

            assertEquals(0, run(holder));

            assertFalse(s.acquire(NO_PERMIT_WAIT), "the child's permits came back");
            assertEquals(0, s.recoveredPermits());
        }
    }

    @Test
    void closing_the_handle_consumes_the_permits_even_if_the_child_is_killed_afterwards() throws Exception {
        try (Semaphore s = new Semaphore(2); Event closed = new Event()) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                s.acquire();
                s.close();
                closed.set();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            assertTrue(closed.await(HANG), "the child never closed its handle");

            holder.kill();
            holder.join(HANG);

            assertEquals(-9, holder.exitCode());
            assertFalse(s.acquire(NO_PERMIT_WAIT), "permits consumed by close() came back on the kill");
            assertEquals(0, s.recoveredPermits());
        }
    }

    @Test
    void permits_of_a_child_ended_by_sigterm_do_not_come_back() throws Exception {
        try (Semaphore s = new Semaphore(1); Event acquired = new Event()) {
            Process holder = new Process(checked(() -> {
                s.acquire();
                acquired.set();
                Thread.sleep(HANG.toMillis() * 10);
            }));
            holder.start();
            assertTrue(acquired.await(HANG), "the child never acquired");

            holder.terminate();
            holder.join(HANG);

            assertEquals(-15, holder.exitCode());
            assertFalse(s.acquire(NO_PERMIT_WAIT), "the permit of a child ended by SIGTERM came back");
            assertEquals(0, s.recoveredPermits());
        }
    }
}
