package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Value and Array corners beyond SharedValueTest: what a use after close says. */
class SharedValueCornersTest extends ChildProcessTestBase {

    /**
     * Element accesses after close name the array; the bulk copies took the array's lock first, and a lock
     * that had been used before answered with its closed arena's bare "Already closed".
     */
    @Test
    void bulk_copies_of_a_closed_array_whose_lock_was_used_name_the_array() throws Exception {
        IntArray a = Array.ofInts(new int[] {1, 2, 3});
        a.getLock().lock();
        a.getLock().unlock();
        IntArray copy = SharedValueTest.roundTrip(a);
        copy.getLock().lock();
        copy.getLock().unlock();
        String name = a.cells.path().getFileName().toString();
        copy.close();
        a.close();
        for (IntArray closed : new IntArray[] {a, copy}) {
            IllegalStateException toArray = assertThrows(IllegalStateException.class, closed::toArray);
            assertTrue(toArray.getMessage().contains(name), toArray.getMessage());
            IllegalStateException copyFrom = assertThrows(IllegalStateException.class, () -> closed.copyFrom(new int[] {4}));
            assertTrue(copyFrom.getMessage().contains(name), copyFrom.getMessage());
        }
    }
}
