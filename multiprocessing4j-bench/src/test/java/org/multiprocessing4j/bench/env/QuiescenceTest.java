package org.multiprocessing4j.bench.env;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link Quiescence} against this machine's {@code /proc/stat}, made busy by a thread of this JVM. */
class QuiescenceTest {

    @Test
    void aMachineKeptBusyIsNotQuietAndTheWaitLastsItsLimit() throws Exception {
        assumeTrue(CpuCounters.read().isPresent(), "no /proc/stat to read");
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread busy = Thread.ofPlatform().start(() -> {
            long x = 0;
            while (spin.get()) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime()) + 1; // a whole CPU, more than QUIET_CPUS
            }
        });
        try {
            Thread.sleep(50);
            Quiescence.Outcome outcome = Quiescence.await(Duration.ofMillis(400));
            assertFalse(outcome.quiet(), "one CPU kept busy: " + outcome);
            assertTrue(outcome.lastBusyCpus() >= 0.5, "the spinning thread is counted: " + outcome);
            assertTrue(outcome.waitedSeconds() >= 0.4, "waits its whole limit: " + outcome);
        } finally {
            spin.set(false);
            busy.join();
        }
    }
}
