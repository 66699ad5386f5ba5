package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many virtual threads making their first call on one proxy at once, each then blocked in the manager: each
 * needs a connection of its own (a burst of them must wait for the manager to accept, not fail), and each
 * waits for its reply on a shared-memory pipe, which must not hold a carrier thread (the JVM has as many
 * carriers as CPUs). Afterwards the process keeps only a few of those connections.
 */
class ManagerBurstTest extends ChildProcessTestBase {
    private static final int CALLERS = 400;

    @Test
    void aBurstOfVirtualThreadsBlockedInCallsOnOneProxyAllGetThrough() throws Exception {
        try (Manager manager = Manager.builder().register(ManagerFaultTest.Gate.class, ManagerFaultTest.GateImpl::new).start()) {
            ManagerFaultTest.Gate gate = manager.create(ManagerFaultTest.Gate.class);
            List<Future<Object>> calls = new ArrayList<>();
            List<Object> failures = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CALLERS; i++) {
                    calls.add(threads.submit(() -> {
                        try {
                            return gate.pass();
                        } catch (Throwable e) {
                            return e;
                        }
                    }));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (gate.waiting() + calls.stream().filter(Future::isDone).count() < CALLERS && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                gate.open();
                for (Future<Object> call : calls) {
                    Object outcome = call.get(60, TimeUnit.SECONDS);
                    if (outcome instanceof Throwable) {
                        failures.add(outcome);
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + CALLERS + " calls failed, the first: " + (failures.isEmpty() ? "" : failures.get(0)));
            assertEquals(0, gate.waiting());
            int idle = manager.idleConnections();
            assertTrue(idle <= 8, "this process keeps " + idle + " idle connections to the manager after the burst (at most 8)");
        }
    }
}
