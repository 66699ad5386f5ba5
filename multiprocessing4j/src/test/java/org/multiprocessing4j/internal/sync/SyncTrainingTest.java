package org.multiprocessing4j.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/** The AOT training's pass through the locks loses no increment of its two contending threads, and leaves no file. */
class SyncTrainingTest extends ChildProcessTestBase {
    @Test
    void the_two_training_threads_increment_the_value_exactly() {
        assertEquals(2 * SyncTraining.INCREMENTS, SyncTraining.exercise());
    }
}
