package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcessSmokeTest extends ChildProcessTestBase {
    @Test
    void a_child_runs_and_exits_with_0() throws Exception {
        long t0 = System.nanoTime();
        Process p = new Process(() -> System.out.println("hello from child " + ProcessHandle.current().pid()));
        assertEquals(0, run(p));
        System.out.println("took ms " + (System.nanoTime() - t0) / 1e6);
        Process q = new Process(() -> System.exit(7));
        assertEquals(7, run(q));
    }
}
