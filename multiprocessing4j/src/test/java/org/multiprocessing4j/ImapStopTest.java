package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * imap and imapUnordered when the pool is terminated or closed while the input's {@code next()} is blocked:
 * the result iterator must end with the documented exception, not wait for the input, and the input's
 * reader must submit nothing once its {@code next()} returns.
 */
class ImapStopTest extends ChildProcessTestBase {

    @Test
    void an_imap_call_blocked_while_its_input_blocks_throws_CancellationException_on_terminate() throws Exception {
        terminateWhileTheInputBlocks(true);
    }

    @Test
    void an_imapUnordered_call_blocked_while_its_input_blocks_throws_CancellationException_on_terminate() throws Exception {
        terminateWhileTheInputBlocks(false);
    }

    @Test
    void imap_after_close_returns_the_results_of_the_items_read_then_throws_IllegalStateException() throws Exception {
        closeWhileTheInputBlocks(true);
    }

    @Test
    void imapUnordered_after_close_returns_the_results_of_the_items_read_then_throws_IllegalStateException() throws Exception {
        closeWhileTheInputBlocks(false);
    }

    private static void terminateWhileTheInputBlocks(boolean ordered) throws Exception {
        Pool pool = new Pool(1);
        BlockingInput input = new BlockingInput();
        try {
            ResultIterator<Integer> results = ordered ? pool.imap(x -> x * 10, input) : pool.imapUnordered(x -> x * 10, input);
            input.items.add(1);
            assertEquals(10, results.next(HANG));
            input.awaitBlockedAfter(1);
            Call blocked = Call.start(results::hasNext);
            blocked.awaitBlocked();

            pool.terminate();

            assertInstanceOf(CancellationException.class, blocked.thrown());
            assertFalse(results.hasNext(), "the iteration ended");
            input.releaseAndAwaitReader();
            assertEquals(1, pool.stats().tasksSubmitted(), "the item read after terminate was not submitted");
        } finally {
            pool.terminate();
            input.releaseAndAwaitReader();
        }
    }

    private static void closeWhileTheInputBlocks(boolean ordered) throws Exception {
        Pool pool = new Pool(1);
        BlockingInput input = new BlockingInput();
        try {
            ResultIterator<Integer> results = ordered ? pool.imap(x -> x * 10, input) : pool.imapUnordered(x -> x * 10, input);
            input.items.add(1);
            input.items.add(2);
            input.awaitBlockedAfter(2);

            pool.close(); // the two tasks already submitted finish first

            List<Integer> got = List.of(results.next(HANG), results.next(HANG));
            assertEquals(List.of(10, 20), ordered ? got : got.stream().sorted().toList());
            Call later = Call.start(results::hasNext);
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, later.thrown());
            assertTrue(e.getMessage().contains("was closed before this call's input was read to the end"), e.getMessage());
            assertFalse(results.hasNext(), "the iteration ended");
            input.releaseAndAwaitReader();
            assertEquals(2, pool.stats().tasksSubmitted(), "the item read after close was not submitted");
        } finally {
            pool.terminate();
            input.releaseAndAwaitReader();
        }
    }

    /** An endless input that hands out what the test puts in {@link #items}, blocking in {@code next()} until then. */
    private static final class BlockingInput implements Iterator<Integer> {
        final LinkedBlockingQueue<Integer> items = new LinkedBlockingQueue<>();
        final AtomicInteger read = new AtomicInteger();
        volatile Thread reader;

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Integer next() {
            reader = Thread.currentThread();
            try {
                Integer item = items.take();
                read.incrementAndGet();
                return item;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for an item", e);
            }
        }

        /** Waits until {@code n} items were read and the reader waits in {@code next()} for one more. */
        void awaitBlockedAfter(int n) throws InterruptedException {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!(read.get() == n && reader != null && reader.getState() == Thread.State.WAITING)) {
                if (System.nanoTime() > deadline) {
                    fail("the input's reader never blocked after " + n + " items (read " + read.get() + ")");
                }
                Thread.sleep(5);
            }
        }

        /** Hands the reader one more item (to end its blocked {@code next()}) and waits for it to end. */
        void releaseAndAwaitReader() throws InterruptedException {
            Thread t = reader;
            if (t != null && t.isAlive()) {
                items.add(-1);
                t.join(HANG);
                assertFalse(t.isAlive(), "the input's reader ended once its next() returned");
            }
        }
    }

    /** A call on a thread of its own, so a hang becomes a failure after {@link #HANG}. */
    private record Call(FutureTask<Object> task, Thread thread) {
        static Call start(Callable<?> call) {
            FutureTask<Object> task = new FutureTask<>(call::call);
            return new Call(task, Thread.ofPlatform().daemon().name("imap-consumer").start(task));
        }

        void awaitBlocked() throws InterruptedException {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (thread.getState() != Thread.State.WAITING) {
                if (System.nanoTime() > deadline || task.isDone()) {
                    fail("the call never blocked: " + thread.getState());
                }
                Thread.sleep(5);
            }
        }

        /** The exception the call threw; fails if it returned, or had not ended within {@link #HANG}. */
        Throwable thrown() throws InterruptedException {
            try {
                Object value = task.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
                return fail("the call returned " + value + " instead of throwing");
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (TimeoutException e) {
                thread.interrupt();
                return fail("the call was still blocked after " + HANG);
            }
        }
    }
}
