package org.multiprocessing4j.bench.pool;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for this JVM's child processes, for workloads that close a context (which kills standbys without waiting). */
public final class ChildJvms {

    private ChildJvms() {
    }

    /**
     * Waits until every child process of this JVM has ended.
     *
     * @throws IllegalStateException if one is still alive after {@code timeout}, naming it
     */
    public static void awaitEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException("child process " + h.pid() + " " + h.info().commandLine().orElse("")
                        + " still alive " + timeout + " after its pool and context were closed", e);
            }
        }
    }
}
