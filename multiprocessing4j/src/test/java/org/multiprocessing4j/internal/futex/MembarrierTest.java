package org.multiprocessing4j.internal.futex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The kernel's expedited global barrier, as the locks use it: offered here, registered, and callable. */
class MembarrierTest {

    @Test
    void where_the_kernel_offers_the_barrier_this_process_is_registered_and_each_barrier_succeeds() {
        Assumptions.assumeTrue(Membarrier.AVAILABLE, "this kernel has no MEMBARRIER_CMD_GLOBAL_EXPEDITED");
        assertEquals(!"false".equals(System.getProperty("multiprocessing4j.membarrier")), Membarrier.REGISTERED);
        for (int i = 0; i < 100; i++) {
            assertTrue(Membarrier.globalBarrier(), "barrier " + i);
        }
    }
}
