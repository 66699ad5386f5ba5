package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Values at the edge of their type: a timeout of "forever" ({@link ChronoUnit#FOREVER}, {@code Long.MAX_VALUE}
 * milliseconds) means no limit wherever one is taken, never an overflow; a process name longer than
 * {@code writeUTF}'s 65,535 bytes reaches the child and its own children; a shared memory block larger than
 * {@code /dev/shm}'s free space fails at once; and a wait on nothing with no limit is refused. Before, each of
 * these hung, leaked a child JVM, or filled the machine's memory.
 */
class HugeValuesTest extends ChildProcessTestBase {
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    @Test
    void a_pool_whose_task_timeout_is_forever_runs_its_tasks() throws Exception {
        // NOTE: the dispatcher overflowed converting it, its starter thread died, and apply waited for ever
        for (Duration timeout : List.of(FOREVER, Duration.ofMillis(Long.MAX_VALUE))) {
            try (Pool pool = Pool.builder().processes(1).taskTimeout(timeout).build()) {
                assertEquals(7, pool.applyAsync(() -> 7).get(HANG));
            }
        }
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1).taskTimeout(FOREVER).build()) {
            assertEquals(8, executor.submit(() -> 8).get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void a_context_whose_start_timeout_is_forever_starts_processes_standbys_and_managers() throws Exception {
        // NOTE: before, ArithmeticException from start() with the child JVM left running, unreachable
        for (StartMethod method : StartMethod.values()) {
            try (Context ctx = Context.builder().startMethod(method).startTimeout(FOREVER).build()) {
                assertEquals(5, run(ctx.process(() -> System.exit(5))), method.toString());
            }
        }
        try (Context ctx = Context.builder().startTimeout(Duration.ofMillis(Long.MAX_VALUE)).build();
             Manager manager = ctx.manager()) {
            var dict = manager.<String, Integer>dict();
            dict.put("a", 1);
            assertEquals(1, dict.get("a"));
        }
    }

    @Test
    void a_process_name_longer_than_64_KiB_reaches_the_child_and_its_children() throws Exception {
        String name = "n".repeat(70_000);
        Process p = new Process(name, () -> {
            if (!Multiprocessing.currentProcess().name().equals("n".repeat(70_000))) {
                System.exit(11);
            }
            Process grandchild = new Process(() -> {
                Optional<ProcessInfo> parent = Multiprocessing.parentProcess();
                System.exit(parent.isPresent() && parent.get().name().length() == 70_000 ? 0 : 12);
            });
            grandchild.start();
            try {
                grandchild.join();
            } catch (InterruptedException e) {
                System.exit(14);
            }
            System.exit(grandchild.exitCode() == 0 ? 0 : 13);
        });
        assertEquals(0, run(p), "11: the child saw another name; 12: the grandchild saw another parent name");
    }

    @Test
    void a_shared_memory_block_beyond_the_free_space_of_its_file_system_fails_at_once() throws Exception {
        long free = Files.getFileStore(Path.of("/dev/shm")).getUsableSpace();
        long size = Math.max(free + (1L << 30), 1L << 40);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> SharedMemory.create(size));
        assertTrue(e.getMessage().contains("no room") && e.getMessage().contains("bytes free"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
                "refused before zero-filling: " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    void waiting_for_nothing_without_a_timeout_is_refused_and_with_one_returns_nothing() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Connections.waitFor(List.of()));
        assertTrue(e.getMessage().contains("no objects"), e.getMessage());
        assertEquals(List.of(), Connections.waitFor(List.of(), Duration.ZERO));
        assertEquals(List.of(), Connections.waitFor(List.of(), Duration.ofMillis(10)));
    }

    /** A link of a chain as deep as it is long: JDK serialization recurses once per link. */
    record Link(Link next) implements java.io.Serializable {
    }

    @Test
    void an_object_graph_too_deep_to_serialize_fails_its_send_saying_so_and_the_channel_goes_on() throws Exception {
        Link chain = null;
        for (int i = 0; i < 200_000; i++) {
            chain = new Link(chain);
        }
        Link deep = chain;
        Pipe pipe = Pipe.open();
        try (Queue<Object> queue = new Queue<>()) {
            for (Callable send : List.<Callable>of(() -> pipe.left().send(deep), () -> queue.put(deep), () -> pipe.left().send(List.of(1, deep)))) {
                java.util.concurrent.CompletableFuture<Throwable> thrown = new java.util.concurrent.CompletableFuture<>();
                // NOTE: a small stack, so the overflow comes at once on any machine
                Thread t = new Thread(null, () -> {
                    try {
                        send.call();
                        thrown.complete(null);
                    } catch (Throwable e) {
                        thrown.complete(e);
                    }
                }, "deep-sender", 512 * 1024);
                t.start();
                Throwable e = thrown.get(HANG.toSeconds(), TimeUnit.SECONDS);
                assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("nested too deeply"), String.valueOf(e));
            }
            pipe.left().send("after");
            assertEquals("after", pipe.right().recv());
            queue.put("after");
            assertEquals("after", queue.get());
        } finally {
            pipe.left().close();
            pipe.right().close();
        }
    }

    private interface Callable {
        void call() throws Exception;
    }
}
