package org.multiprocessing4j.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/** The AOT training's pass of pool tasks through a worker's code really answers every task. */
class PoolTrainingTest extends ChildProcessTestBase {
    @Test
    void every_training_task_comes_back_with_its_result() {
        assertEquals(PoolTraining.TASKS, PoolTraining.exercise());
    }
}
