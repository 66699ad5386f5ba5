package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multiprocessing4j.SharedHandleMappingsTest.mappingsOf;
import static org.multiprocessing4j.SharedValueTest.roundTrip;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A synchronization handle or a queue captured by each of many pool tasks is decoded again by every task
 * in the same long-lived worker JVM. Each decoded copy used to map the file anew on first use and keep that
 * mapping until closed (a shared arena is never unmapped by the garbage collector): a worker whose tasks
 * capture one lock held one mapping per task, until vm.max_map_count (65,530 by default) made every mmap
 * fail. Decoding the same handle again while an earlier copy is open now gives that copy: one mapping per
 * file and JVM.
 */
class PoolWorkerHandleMappingsTest extends ChildProcessTestBase {
    private static final int TASKS = 300;

    /** The shared file's name in a handle's {@code toString()}: {@code Kind[name]} or {@code Kind[name, ...]}. */
    static String fileOf(Object handle) {
        String s = handle.toString();
        int open = s.lastIndexOf('[') + 1;
        int end = s.indexOf(',', open);
        return s.substring(open, end < 0 ? s.indexOf(']', open) : end);
    }

    @Test
    void a_worker_running_many_tasks_that_capture_one_lock_does_not_keep_a_mapping_per_task() throws Exception {
        try (Lock lock = new Lock(); Pool pool = new Pool(1)) {
            String name = fileOf(lock);
            long maps = 0;
            for (int i = 0; i < TASKS; i++) {
                maps = pool.apply(() -> {
                    lock.acquire();
                    lock.release();
                    return mappingsOf(name);
                });
            }
            assertTrue(maps <= 1, "mappings of " + name + " in the worker after " + TASKS + " tasks: " + maps);
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void every_kind_of_sync_handle_captured_by_many_tasks_is_mapped_once_in_the_worker() throws Exception {
        try (RLock rlock = new RLock(); Semaphore semaphore = new Semaphore(2); BoundedSemaphore bounded = new BoundedSemaphore(1);
                Event event = new Event(); Condition condition = new Condition(); Barrier barrier = new Barrier(1);
                Pool pool = new Pool(1)) {
            String[] names = {fileOf(rlock), fileOf(semaphore), fileOf(bounded), fileOf(event), fileOf(condition), fileOf(barrier)};
            long[] maps = null;
            for (int i = 0; i < TASKS; i++) {
                maps = pool.apply(() -> {
                    rlock.acquire();
                    rlock.release();
                    semaphore.acquire();
                    semaphore.release();
                    bounded.acquire();
                    bounded.release();
                    event.set();
                    condition.acquire();
                    condition.signalAll();
                    condition.release();
                    barrier.await();
                    long[] counts = new long[names.length];
                    for (int k = 0; k < names.length; k++) {
                        counts[k] = mappingsOf(names[k]);
                    }
                    return counts;
                });
            }
            for (int k = 0; k < names.length; k++) {
                assertTrue(maps[k] <= 1, "mappings of " + names[k] + " in the worker after " + TASKS + " tasks: " + maps[k]);
            }
            assertEquals(2, semaphore.getValue());
            assertEquals(1, bounded.getValue());
            assertTrue(event.isSet());
        }
    }

    @Test
    void a_queue_every_task_puts_its_result_on_is_mapped_once_in_the_worker() throws Exception {
        try (Queue<Integer> queue = new Queue<>(); JoinableQueue<Integer> joinable = new JoinableQueue<>();
                SimpleQueue<Integer> simple = new SimpleQueue<>(); Pool pool = new Pool(1)) {
            String[] names = {fileOf(queue), fileOf(joinable), fileOf(simple)};
            long[] maps = null;
            for (int i = 0; i < TASKS; i++) {
                int item = i;
                maps = pool.apply(() -> {
                    queue.put(item);
                    joinable.put(item);
                    simple.put(item);
                    long[] counts = new long[names.length];
                    for (int k = 0; k < names.length; k++) {
                        counts[k] = mappingsOf(names[k]);
                    }
                    return counts;
                });
            }
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < TASKS; i++) {
                got.add(queue.get(HANG));
                assertEquals(i, joinable.get(HANG));
                joinable.taskDone();
                assertEquals(i, simple.get());
            }
            assertEquals(TASKS, got.size());
            joinable.join();
            for (int k = 0; k < names.length; k++) {
                assertTrue(maps[k] <= 1, "mappings of " + names[k] + " in the worker after " + TASKS + " tasks: " + maps[k]);
            }
        }
    }

    @Test
    void decoding_a_sync_handle_again_while_a_copy_is_open_gives_that_copy_and_a_closed_copy_is_not_reused() throws Exception {
        try (Lock lock = new Lock(); RLock rlock = new RLock(); Semaphore semaphore = new Semaphore(1);
                BoundedSemaphore bounded = new BoundedSemaphore(1); Event event = new Event();
                Condition condition = new Condition(lock); Barrier barrier = new Barrier(2)) {
            Object[] handles = {lock, rlock, semaphore, bounded, event, condition, barrier};
            for (Object handle : handles) {
                Object first = roundTrip(handle);
                assertNotSame(handle, first, "the creator's own object is not a decoded copy: " + handle);
                assertSame(first, roundTrip(handle), handle.toString());
                assertSame(first, roundTrip(first), handle.toString());
                assertSame(handle.getClass(), first.getClass());
            }
            Lock copy = roundTrip(lock);
            Condition conditionCopy = roundTrip(condition);
            copy.acquire();
            conditionCopy.signalAll(); // its lock is the same decoded copy, held by this thread
            assertTrue(lock.isLocked());
            copy.release();
            copy.close();
            assertThrows(IllegalStateException.class, copy::tryAcquire);
            Lock fresh = roundTrip(lock);
            assertNotSame(copy, fresh, "a closed copy is not handed out again");
            assertTrue(fresh.tryAcquire());
            assertTrue(lock.isLocked(), "closing decoded copies leaves the creator's object open");
            fresh.release();
            fresh.close();
            for (Object handle : handles) {
                ((AutoCloseable) roundTrip(handle)).close();
            }
        }
    }

    @Test
    void decoding_a_queue_again_while_a_copy_is_open_gives_that_copy_and_a_closed_copy_is_not_reused() throws Exception {
        try (Queue<String> queue = new Queue<>(); JoinableQueue<String> joinable = new JoinableQueue<>();
                SimpleQueue<String> simple = new SimpleQueue<>()) {
            for (Object handle : new Object[] {queue, joinable, simple}) {
                Object first = roundTrip(handle);
                assertNotSame(handle, first);
                assertSame(first, roundTrip(handle), handle.toString());
                assertSame(handle.getClass(), first.getClass());
            }
            Queue<String> copy = roundTrip(queue);
            copy.put("a");
            assertEquals("a", queue.get(HANG));
            copy.close();
            assertThrows(IllegalStateException.class, () -> copy.put("b"));
            Queue<String> fresh = roundTrip(queue);
            assertNotSame(copy, fresh);
            fresh.put("c");
            assertEquals("c", queue.get(HANG));
            fresh.close();
            queue.put("d");
            assertEquals("d", queue.get(HANG), "closing decoded copies leaves the creator's object open");
            ((JoinableQueue<String>) roundTrip(joinable)).close();
            ((SimpleQueue<String>) roundTrip(simple)).close();
        }
    }

    @Test
    void a_lock_a_task_left_held_stays_held_by_the_worker_and_is_taken_over_when_it_dies() throws Exception {
        try (Lock lock = new Lock(); Semaphore semaphore = new Semaphore(2); Pool pool = new Pool(1)) {
            long pid = pool.apply(() -> {
                lock.acquire(); // and not released
                semaphore.acquire();
                return ProcessHandle.current().pid();
            });
            assertEquals(pid, (long) pool.apply(() -> {
                assertFalse(lock.tryAcquire(), "held by this process through the same object");
                semaphore.acquire();
                return ProcessHandle.current().pid();
            }));
            assertEquals(pid, lock.ownerPid());
            assertEquals(0, semaphore.getValue());
            assertThrows(WorkerDiedException.class, () -> pool.apply(() -> {
                Runtime.getRuntime().halt(9); // no orderly end: the holdings stay for recovery
                return 0;
            }));
            OwnerDiedException died = assertThrows(OwnerDiedException.class, lock::acquire);
            assertEquals(pid, died.deadPid());
            lock.release();
            semaphore.acquire();
            semaphore.acquire();
            assertEquals(2, semaphore.recoveredPermits(), "both permits the worker's tasks took came back");
            semaphore.release();
            semaphore.release();
        }
    }

    @Test
    void a_pipe_end_captured_by_many_tasks_is_used_by_the_first_and_maps_nothing_for_the_others() throws Exception {
        // A pipe end is used by one process, and two decoded copies in one process are two users (see
        // RingConnection): later tasks' copies fail to claim it and unmap at once, so nothing piles up.
        Pipe pipe = Pipe.open(false, 4096);
        try (Connection in = pipe.left(); Connection out = pipe.right(); Pool pool = new Pool(1)) {
            String ring = out.toString().replaceAll(".*sends into ([^,\\]]+).*", "$1");
            long maps = 0;
            int sent = 0;
            for (int i = 0; i < 50; i++) {
                int item = i;
                long[] r = pool.apply(() -> {
                    boolean ok;
                    try {
                        out.send(item);
                        ok = true;
                    } catch (java.io.IOException usedByAnotherCopy) {
                        ok = false;
                    }
                    return new long[] {ok ? 1 : 0, mappingsOf(ring)};
                });
                sent += (int) r[0];
                maps = r[1];
            }
            assertEquals(1, sent, "the first task's copy claims the end; the others' cannot");
            assertEquals(0, in.recv());
            assertEquals(1, maps, "mappings of " + ring + " in the worker after 50 tasks (the first copy keeps its own)");
        }
    }
}
