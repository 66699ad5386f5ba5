package org.multiprocessing4j.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * A worker the closing pool lets go is not a death, even when its relay comes out of its receive with the
 * interrupt status set. HotSpot sets it, now and then, on a thread it unwinds out of a shared mapping that
 * another thread unmaps, and closing the pool's end of a worker's pipe unmaps its ring under the relay (see
 * WorkerSupervisor, "Interrupt at close"). The workers here are real child JVMs with real pipes; the
 * transport only makes that side effect happen every time instead of about once in a hundred closes.
 */
class PoolCloseDeathsTest extends ChildProcessTestBase {

    @Test
    void workersLetGoAtCloseAreNoDeathsWhenTheRelaysComeOutInterrupted() {
        Context context = Context.builder().poolWorkers(new InterruptedAtCloseTransport()).build();
        PoolStats stats = assertTimeoutPreemptively(HANG, () -> {
            Pool pool = Pool.builder().processes(2).context(context).build();
            try (pool) {
                assertEquals(List.of(1, 4, 9, 16, 25), pool.map(x -> x * x, List.of(1, 2, 3, 4, 5)));
            }
            return pool.stats();
        });
        assertEquals(0, stats.workerDeaths(), "workers that exit at close are not deaths");
        assertEquals(0, stats.workerRestarts());
    }

    /** Child-JVM workers whose receive, once the pool closed the channel, ends with the thread interrupted. */
    private static final class InterruptedAtCloseTransport implements WorkerTransport {
        @Override
        public String describe() {
            return "child JVMs whose relays come out of a closed receive interrupted";
        }

        @Override
        public WorkerLauncher launcher(Context context) {
            ChildWorkerLauncher children = new ChildWorkerLauncher(context);
            return new WorkerLauncher() {
                @Override
                public WorkerLink launch(String name, SerializableRunnable initializer, int maxTasks, int slots) {
                    return new InterruptedAtClose(children.launch(name, initializer, maxTasks, slots));
                }

                @Override
                public int maxTasksPerWorker() {
                    return children.maxTasksPerWorker();
                }

                @Override
                public long bytesAheadPerWorker() {
                    return children.bytesAheadPerWorker();
                }
            };
        }
    }

    /** A real worker's link; a receive that fails after {@link #closeChannel()} leaves the thread interrupted. */
    private static final class InterruptedAtClose implements WorkerLink {
        private final WorkerLink link;
        private volatile boolean closed;

        InterruptedAtClose(WorkerLink link) {
            this.link = link;
        }

        @Override
        public byte[] receive() throws IOException, InterruptedException {
            try {
                return link.receive();
            } catch (IOException e) {
                if (closed) {
                    Thread.currentThread().interrupt(); // what HotSpot's unwinding out of the unmapped ring may do
                }
                throw e;
            }
        }

        @Override
        public void closeChannel() {
            closed = true;
            link.closeChannel();
        }

        @Override
        public String name() {
            return link.name();
        }

        @Override
        public long pid() {
            return link.pid();
        }

        @Override
        public TaskSlots slots() {
            return link.slots();
        }

        @Override
        public void send(byte[] message) throws IOException {
            link.send(message);
        }

        @Override
        public void send(EncodedMessage message) throws IOException {
            link.send(message);
        }

        @Override
        public int sendNow(List<EncodedMessage> messages) throws IOException {
            return link.sendNow(messages);
        }

        @Override
        public byte[] receiveNow() throws IOException {
            return link.receiveNow();
        }

        @Override
        public void release() {
            link.release();
        }

        @Override
        public void kill() {
            link.kill();
        }

        @Override
        public Integer awaitExit(Duration timeout) throws InterruptedException {
            return link.awaitExit(timeout);
        }

        @Override
        public void onExit(Runnable action) {
            link.onExit(action);
        }
    }
}
