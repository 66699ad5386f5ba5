package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.ChildBodies.checked;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Connections.waitFor over pipe ends, socket connections and process sentinels: edge cases found by probing. */
class ConnectionsWaitForTest extends ChildProcessTestBase {

    /** The number of stages waiting on the exit future behind {@code sentinel} (read reflectively). */
    private static int listenersOn(Sentinel sentinel) throws ReflectiveOperationException {
        var f = Sentinel.class.getDeclaredField("ended");
        f.setAccessible(true);
        return ((CompletableFuture<?>) f.get(sentinel)).getNumberOfDependents();
    }

    /**
     * CPython's {@code wait([conn, p.sentinel], timeout)} in a loop costs nothing per call. Each call here added a
     * stage to the process's exit future that stayed (holding the call's selector) until the process ended: a
     * server loop waiting on a long-lived child leaked without bound.
     */
    @Test
    void waiting_again_and_again_on_a_running_process_leaves_nothing_behind_on_it() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            Connection release = pipe.left();
            Process p = new Process(checked(() -> release.recv()));
            p.start();
            try (Pipe idle = Pipe.open()) {
                Connections.waitFor(List.of(idle.left(), p.sentinel()), Duration.ZERO);
                int before = listenersOn(p.sentinel());
                for (int i = 0; i < 1000; i++) {
                    assertEquals(List.of(), Connections.waitFor(List.of(idle.left(), p.sentinel()), Duration.ZERO));
                    p.sentinel();
                }
                assertEquals(before, listenersOn(p.sentinel()), "stages left on the exit future by 1000 waits");
            } finally {
                pipe.right().send("go");
                assertEquals(0, joined(p));
            }
            assertTrue(Connections.waitFor(List.of(p.sentinel()), HANG).contains(p.sentinel()));
        }
    }
}
