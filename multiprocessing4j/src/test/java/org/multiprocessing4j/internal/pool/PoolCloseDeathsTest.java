package org.multiprocessing4j.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.PoolStats;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * Workers the closing pool lets go exit normally and are not counted as deaths: not when their relay comes
 * out of the closed pipe interrupted, not when they still owe the pool the answer "skipped" for a task the
 * pool took back from them.
 */
class PoolCloseDeathsTest extends ChildProcessTestBase {

    /**
     * HotSpot sets the interrupt status, now and then, of a thread it unwinds out of a shared mapping that
     * another thread unmaps, and closing the pool's end of a worker's pipe unmaps its ring under the relay
     * (see WorkerSupervisor, "Interrupt at close"). The workers are real child JVMs with real pipes; the
     * transport only makes that side effect happen on every close instead of about once in 200.
     */
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

    /**
     * The task queued behind a long one is taken back for the worker that fell idle, and ends there before
     * the long one does; once the long one answers the pool has nothing left to run and lets both workers
     * go, while the first still has to read the taken-back task (a large one, so that this takes a while)
     * and answer "skipped". That answer found the pipe closed, and the worker died with exit code 1 ("pool
     * worker lost its pipe" on its stderr): a death counted at close.
     */
    @Test
    void aWorkerLetGoBeforeItAnswersSkippedForATaskTakenBackIsNoDeath() {
        PoolStats stats = assertTimeoutPreemptively(HANG, () -> {
            Pool pool = Pool.builder().processes(2).build();
            byte[] large = new byte[ChildWorkerLauncher.RING_BYTES / 5];
            AsyncResult<Integer> longOne;
            AsyncResult<Integer> shortOne;
            AsyncResult<Integer> takenBack;
            try (pool) {
                while (pool.stats().workers().size() < 2) {
                    Thread.sleep(10); // both workers up, so that each call below goes straight to one
                }
                longOne = pool.applyAsync(() -> sleepThen(500, 1));
                shortOne = pool.applyAsync(() -> sleepThen(100, 2));
                takenBack = pool.applyAsync(() -> large.length); // queued behind the long one
            }
            assertEquals(1, longOne.get());
            assertEquals(2, shortOne.get());
            assertEquals(large.length, takenBack.get());
            return pool.stats();
        });
        assertEquals(0, stats.workerDeaths(), "workers that exit at close are not deaths");
        assertEquals(0, stats.workerRestarts());
    }

    /**
     * Workers that die while they start (here: in their initializer) after the pool was closed with nothing
     * to run are counted, but not replaced: as with one that dies after it started, and as in CPython, whose
     * closed pool keeps its workers up only while tasks are left. A replacement used to be started for
     * each, dying in turn, until three deaths in a row broke the closed pool.
     */
    @Test
    void workersThatDieStartingAfterCloseWithNothingToRunAreNotReplaced() {
        PoolStats stats = assertTimeoutPreemptively(HANG, () -> {
            Pool pool = Pool.builder().processes(2).initializer(() -> Runtime.getRuntime().halt(7)).build();
            pool.close(); // at once: the workers are still booting
            return pool.stats();
        });
        assertEquals(2, stats.workerDeaths(), "each worker that died starting");
        assertEquals(0, stats.workerRestarts(), "nothing left to run: no replacement");
    }

    private static int sleepThen(long millis, int value) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        return value;
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
