package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A handle (value, array, shared memory, shareable list) captured by each of many pool tasks is decoded
 * again by every task in the same long-lived worker JVM. Each decoded copy used to map the file anew and
 * keep that mapping for the worker's life (Linux allows about 65,530 mappings a process, so the worker
 * ended up failing every mmap). Decoding the same handle again while an earlier copy is open now gives
 * that copy: one mapping per file and JVM.
 */
class SharedHandleMappingsTest extends ChildProcessTestBase {
    private static final int TASKS = 300;

    static long mappingsOf(String fileName) throws Exception {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(fileName)).count();
        }
    }

    @Test
    void a_value_captured_by_many_pool_tasks_is_mapped_once_in_the_worker() throws Exception {
        IntValue v = Value.ofInt(0);
        String fileName = v.cells.path().getFileName().toString();
        try (v; Pool pool = new Pool(1)) {
            long last = 0;
            for (int i = 0; i < TASKS; i++) {
                last = pool.apply(() -> {
                    v.getAndAdd(1);
                    return mappingsOf(fileName);
                });
            }
            assertEquals(TASKS, v.get());
            assertTrue(last <= 2, "the worker maps the value's file " + last + " times after " + TASKS + " tasks");
        }
    }

    @Test
    void an_array_and_its_lock_captured_by_many_pool_tasks_are_mapped_once_in_the_worker() throws Exception {
        LongArray a = Array.ofLongs(4);
        RLock lock = a.getLock();
        String fileName = a.cells.path().getFileName().toString();
        try (a; Pool pool = new Pool(1)) {
            long last = 0;
            for (int i = 0; i < TASKS; i++) {
                last = pool.apply(() -> {
                    lock.lock(); // the lock captured on its own, not through the array
                    try {
                        a.set(0, a.get(0) + 1);
                    } finally {
                        lock.unlock();
                    }
                    return mappingsOf(fileName);
                });
            }
            assertEquals(TASKS, a.get(0));
            assertTrue(last <= 2, "the worker maps the array's file " + last + " times after " + TASKS + " tasks");
        }
    }

    @Test
    void a_shared_memory_captured_by_many_pool_tasks_is_mapped_once_in_the_worker() throws Exception {
        SharedMemory shm = SharedMemory.create(4096);
        String fileName = "mp4j-shm-" + shm.name();
        try (shm; Pool pool = new Pool(1)) {
            long last = 0;
            for (int i = 0; i < TASKS; i++) {
                last = pool.apply(() -> {
                    shm.segment().get(JAVA_INT, 0);
                    return mappingsOf(fileName);
                });
            }
            assertTrue(last <= 2, "the worker maps the segment " + last + " times after " + TASKS + " tasks");
        } finally {
            shm.unlink();
        }
    }

    @Test
    void a_shareable_list_captured_by_many_pool_tasks_is_mapped_once_in_the_worker() throws Exception {
        ShareableList list = ShareableList.create(List.of(0L));
        String fileName = "mp4j-shm-" + list.name();
        try (list; Pool pool = new Pool(1)) {
            long last = 0;
            for (int i = 0; i < TASKS; i++) {
                last = pool.apply(() -> {
                    list.set(0, (Long) list.get(0) + 1);
                    return mappingsOf(fileName);
                });
            }
            assertEquals(TASKS, (long) (Long) list.get(0));
            assertTrue(last <= 2, "the worker maps the list's segment " + last + " times after " + TASKS + " tasks");
        } finally {
            list.unlink();
        }
    }

    @Test
    void the_lock_of_a_value_shared_by_successive_tasks_in_two_workers_still_excludes() throws Exception {
        try (LongValue v = Value.ofLong(0); Pool pool = new Pool(2)) {
            List<AsyncResult<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.applyAsync(() -> {
                    RLock lock = v.getLock();
                    lock.lock();
                    try {
                        boolean alone = lock.getHoldCount() == 1;
                        v.set(v.get() + 1); // a compound update: lost ones would show in the sum
                        return alone;
                    } finally {
                        lock.unlock();
                    }
                }));
            }
            for (AsyncResult<Boolean> r : results) {
                assertTrue(r.get(HANG), "a task found its lock held more than once");
            }
            assertEquals(200, v.get());
            assertFalse(v.getLock().isLocked());
        }
    }

    @Test
    void decoding_the_same_handle_again_while_a_copy_is_open_gives_that_copy() throws Exception {
        try (IntArray a = Array.ofInts(new int[] {7}); SharedMemory shm = SharedMemory.create(64)) {
            try {
                IntArray first = SharedValueTest.roundTrip(a);
                assertNotSame(a, first, "the creator's own object is not a decoded copy");
                assertSame(first, SharedValueTest.roundTrip(a));
                assertSame(first, SharedValueTest.roundTrip(first));
                assertSame(first.getLock(), SharedValueTest.roundTrip(a).getLock());
                SharedMemory shmCopy = SharedValueTest.roundTrip(shm);
                assertSame(shmCopy, SharedValueTest.roundTrip(shm));
                assertEquals(7, first.get(0));
                first.close();
                assertThrows(IllegalStateException.class, () -> first.get(0));
                IntArray fresh = SharedValueTest.roundTrip(a);
                assertNotSame(first, fresh, "a closed copy is not handed out again");
                assertEquals(7, fresh.get(0));
                fresh.close();
                shmCopy.close();
                SharedMemory shmFresh = SharedValueTest.roundTrip(shm);
                assertNotSame(shmCopy, shmFresh);
                shmFresh.segment().set(JAVA_INT, 0, 5);
                assertEquals(5, shm.segment().get(JAVA_INT, 0));
                shmFresh.close();
                assertEquals(7, a.get(0), "closing decoded copies leaves the creator's object open");
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void threads_decoding_the_same_handle_at_once_get_one_copy_and_one_mapping() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (IntValue v = Value.ofInt(0); SharedMemory shm = SharedMemory.create(64)) {
            String valueFile = v.cells.path().getFileName().toString();
            String shmFile = "mp4j-shm-" + shm.name();
            try {
                for (int round = 0; round < 20; round++) {
                    CyclicBarrier start = new CyclicBarrier(threads);
                    List<Future<Object[]>> copies = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        copies.add(pool.submit((Callable<Object[]>) () -> {
                            start.await(HANG.toSeconds(), TimeUnit.SECONDS);
                            IntValue value = SharedValueTest.roundTrip(v);
                            SharedMemory segment = SharedValueTest.roundTrip(shm);
                            value.getAndAdd(1);
                            segment.segment().get(JAVA_INT, 0);
                            return new Object[] {value, segment};
                        }));
                    }
                    Object[] first = copies.get(0).get(HANG.toSeconds(), TimeUnit.SECONDS);
                    for (Future<Object[]> f : copies) {
                        Object[] copy = f.get(HANG.toSeconds(), TimeUnit.SECONDS);
                        assertSame(first[0], copy[0], "round " + round);
                        assertSame(first[1], copy[1], "round " + round);
                    }
                    // the creator's mapping and the decoded copy's
                    assertEquals(2, mappingsOf(valueFile), "round " + round);
                    assertEquals(2, mappingsOf(shmFile), "round " + round);
                    ((IntValue) first[0]).close();
                    ((SharedMemory) first[1]).close();
                    assertEquals(1, mappingsOf(valueFile), "round " + round);
                    assertEquals(1, mappingsOf(shmFile), "round " + round);
                }
                assertEquals(20 * threads, v.get());
            } finally {
                shm.unlink();
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
