package org.multiprocessing4j.bench.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ThreadCpu} against this JVM's own {@code /proc} entries. */
class ThreadCpuTest {

    @Test
    void hotSpotThreadNamesAreSortedIntoCompilerGcAndOther() {
        assertEquals(ThreadCpu.Kind.JIT, ThreadCpu.kind("C2 CompilerThre"));
        assertEquals(ThreadCpu.Kind.JIT, ThreadCpu.kind("C1 CompilerThre"));
        assertEquals(ThreadCpu.Kind.GC, ThreadCpu.kind("GC Thread#0"));
        assertEquals(ThreadCpu.Kind.GC, ThreadCpu.kind("G1 Conc#0"));
        assertEquals(ThreadCpu.Kind.OTHER, ThreadCpu.kind("java"));
        assertEquals(ThreadCpu.Kind.OTHER, ThreadCpu.kind("Pool-1-relay-0"));
    }

    @Test
    void aBusyIntervalOfThisJvmIsSplitWithNothingNegativeAndTheWorkInOther() {
        long me = ProcessHandle.current().pid();
        ThreadCpu.Sample before = ThreadCpu.read(me).orElseThrow();
        assertTrue(before.total() >= before.jit() + before.gc(), before.toString());
        // NOTE: 0.3 s of this thread's CPU, not of the wall clock: on a busy machine (a CI run with other
        // builds) a 0.3 s wall-clock loop got 0.03 s of CPU, and the figure below was rightly that small
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t0 = threads.getCurrentThreadCpuTime();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - t0 < 300_000_000L) {
            x += Long.numberOfTrailingZeros(x + t0) + 1;
        }
        ThreadCpu.Split split = ThreadCpu.read(me).orElseThrow().since(before);
        assertTrue(split.jit() >= 0 && split.gc() >= 0 && split.other() >= 0, split.toString());
        assertTrue(split.other() >= 0.2, "a 0.3 s busy loop on this thread counts as other: " + split + " (" + x + ")");
    }

    @Test
    void aProcessThatIsNotThereReadsAsEmpty() {
        assertEquals(Optional.empty(), ThreadCpu.read(Long.MAX_VALUE));
    }
}
