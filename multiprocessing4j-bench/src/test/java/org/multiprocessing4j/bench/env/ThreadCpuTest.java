package org.multiprocessing4j.bench.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        long t0 = System.nanoTime();
        long x = 0;
        while (System.nanoTime() - t0 < 300_000_000L) { // 0.3 s of this thread's CPU
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
