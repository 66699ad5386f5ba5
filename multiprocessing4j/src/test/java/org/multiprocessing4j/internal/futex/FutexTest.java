package org.multiprocessing4j.internal.futex;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.futex.Futex.WaitResult;
import org.multiprocessing4j.internal.shm.SharedFile;

class FutexTest extends ChildProcessTestBase {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(30);

    @Test
    void a_wait_on_a_word_that_no_longer_holds_the_expected_value_returns_at_once() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            file.unlink();
            file.segment().set(JAVA_INT, 8, 5);
            assertEquals(WaitResult.VALUE_CHANGED, Futex.await(file.segment(), 8, 4, LONG_WAIT));
        }
    }

    @Test
    void a_wait_nobody_ends_times_out() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            file.unlink();
            assertEquals(WaitResult.TIMED_OUT, Futex.await(file.segment(), 0, 0, TimeUnit.MILLISECONDS.toNanos(5)));
            assertEquals(WaitResult.TIMED_OUT, Futex.await(file.segment(), 0, 0, 0), "no positive timeout: no sleep");
        }
    }

    @Test
    void a_wake_through_another_mapping_of_the_same_file_wakes_the_sleeper() throws Exception {
        // Guards against a private futex: the two mappings have different addresses, so only a futex keyed
        // by the file page (no FUTEX_PRIVATE_FLAG) connects them, as it must between two processes.
        try (SharedFile a = SharedFile.create(4096); SharedFile b = SharedFile.attach(a.path())) {
            a.unlink();
            assertTrue(a.segment().address() != b.segment().address());
            MemorySegment word = a.segment();
            CompletableFuture<WaitResult> sleeper = CompletableFuture.supplyAsync(() -> {
                WaitResult r;
                do {
                    r = Futex.await(word, 16, 0, LONG_WAIT);
                } while (r != WaitResult.VALUE_CHANGED && word.get(JAVA_INT, 16) == 0);
                return r;
            });
            int woken = 0;
            while (woken == 0 && !sleeper.isDone()) {
                Thread.sleep(1);
                woken = Futex.wake(b.segment(), 16, Integer.MAX_VALUE);
            }
            b.segment().set(JAVA_INT, 16, 1);
            Futex.wake(b.segment(), 16, Integer.MAX_VALUE);
            sleeper.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1, woken, "the wake through b found the sleeper on a");
        }
    }

    @Test
    void a_wake_with_nobody_asleep_wakes_nobody() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            file.unlink();
            assertEquals(0, Futex.wake(file.segment(), 4, Integer.MAX_VALUE));
        }
    }

    @Test
    void a_word_that_is_misaligned_or_outside_the_segment_is_refused() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            file.unlink();
            assertThrows(IllegalArgumentException.class, () -> Futex.await(file.segment(), 2, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(file.segment(), 4094, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(file.segment(), 4096, 1));
        }
    }

    @Test
    void a_wait_on_an_unmapped_file_is_refused() throws Exception {
        SharedFile file = SharedFile.create(4096);
        file.unlink();
        file.close();
        assertThrows(IllegalStateException.class, () -> Futex.await(file.segment(), 0, 0, 1_000));
    }

    /**
     * errno is captured in a scratch segment of each thread: threads whose waits end in different ways at
     * the same time each read their own outcome (a shared one would hand EAGAIN to a thread that timed out).
     */
    @Test
    void threads_whose_waits_end_differently_at_the_same_time_each_get_their_own_outcome() throws Exception {
        try (SharedFile file = SharedFile.create(4096)) {
            file.unlink();
            MemorySegment words = file.segment();
            words.set(JAVA_INT, 0, 1); // waits expecting 0 here fail at once with EAGAIN; word 4 holds 0: they time out
            int threads = 4;
            int rounds = 2_000;
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean timesOut = t % 2 == 0;
                outcomes.add(CompletableFuture.supplyAsync(() -> {
                    for (int i = 0; i < rounds; i++) {
                        WaitResult r = timesOut ? Futex.await(words, 4, 0, 20_000) : Futex.await(words, 0, 0, LONG_WAIT);
                        WaitResult expected = timesOut ? WaitResult.TIMED_OUT : WaitResult.VALUE_CHANGED;
                        if (r != expected && r != WaitResult.WOKEN && r != WaitResult.SIGNALLED) { // the last two: spurious, allowed
                            return "round " + i + ": " + r + " instead of " + expected;
                        }
                    }
                    return "ok";
                }, task -> Thread.ofPlatform().daemon().start(task)));
            }
            for (CompletableFuture<String> outcome : outcomes) {
                assertEquals("ok", outcome.get(60, TimeUnit.SECONDS));
            }
        }
    }
}
