package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.futex.Membarrier;

/**
 * Two objects for one {@link Lock} in one process (the creator's own object and a decoded copy of it, which
 * the creator gets as a copy of its own): a lock is not reentrant whichever object its holder uses, also
 * when the lock is biased to that thread.
 */
class LockHandlesOfOneProcessTest extends ChildProcessTestBase {
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void a_lock_biased_to_this_thread_and_held_through_a_copy_is_not_taken_again_through_the_original() throws Exception {
        assumeTrue(Membarrier.REGISTERED, "no membarrier here: locks are never biased");
        try (Lock original = new Lock()) {
            earnBias(original);
            Lock copy = SharedValueTest.roundTrip(original);
            assertNotSame(original, copy);
            copy.acquire();
            assertFalse(original.tryAcquire(), "the holder took the held lock again (Python's acquire(False) is False)");
            assertFalse(original.tryLock());
            assertFalse(original.acquire(SHORT));
            assertFalse(original.tryLock(0, TimeUnit.NANOSECONDS));
            original.release(); // any thread may release a Lock, through any object
            assertFalse(original.isLocked());
            assertFalse(copy.isLocked());
        }
    }

    @Test
    void a_lock_biased_to_this_thread_and_held_through_the_original_is_not_taken_again_through_a_copy() throws Exception {
        assumeTrue(Membarrier.REGISTERED, "no membarrier here: locks are never biased");
        try (Lock original = new Lock()) {
            earnBias(original);
            Lock copy = SharedValueTest.roundTrip(original);
            copy.acquire(); // the copy's first take by the bias thread
            copy.release();
            original.acquire();
            assertFalse(copy.tryAcquire(), "the holder took the held lock again through the copy");
            assertFalse(copy.acquire(SHORT));
            copy.release();
            assertFalse(original.isLocked());
        }
    }

    /** Takes and releases the lock alone until it is biased to this thread. */
    private static void earnBias(Lock lock) throws InterruptedException {
        for (int i = 0; i < 100_000 && !lock.isBiased(); i++) {
            lock.acquire();
            lock.release();
        }
        assertTrue(lock.isBiased(), "never biased");
    }
}
