package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.ring.BrokenRingException;
import org.junit.jupiter.api.Test;

/** Pipes over shared-memory rings: exact messages between JVMs, EOF on close and death, clean files. */
class PipeTest extends ChildProcessTestBase {
    /** How long a blocked call is given to really block before the test disturbs it. */
    private static final Duration BLOCKED = Duration.ofMillis(200);
    /** Bound for "promptly": EOF after a death, within a few futex slices. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @Test
    void a_duplex_pipe_carries_objects_and_bytes_both_ways_between_JVMs_exactly() throws Exception {
        byte[] big = new byte[2 * Pipe.RING_CAPACITY + 7];
        for (int i = 0; i < big.length; i += 4093) {
            big[i] = (byte) i;
        }
        big[big.length - 1] = 9;
        java.util.Set<java.nio.file.Path> shmBefore = thisTreesShmFiles();
        try (Pipe pipe = Pipe.open()) {
            Connection child = pipe.right();
            Process echo = new Process(checked(() -> {
                try (child) {
                    for (int i = 0; i < 3; i++) {
                        child.send(child.recv());
                    }
                    for (int i = 0; i < 4; i++) {
                        child.sendBytes(child.recvBytes());
                    }
                }
            }));
            echo.start();
            Connection c = pipe.left();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    c.send(42);
                    c.send(null);
                    c.send(List.of("x", "y"));
                    c.sendBytes(new byte[0]);
                    c.sendBytes(new byte[0]);
                    c.sendBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
                    c.sendBytes(big); // twice the ring and more: streams while the child echoes
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(42, c.recv());
            assertNull(c.recv());
            assertEquals(List.of("x", "y"), c.recv());
            assertEquals(0, c.recvBytes().length, "a zero-length message is a message");
            assertEquals(0, c.recvBytes().length, "zero-length messages never merge");
            assertArrayEquals(new byte[] {2, 3, 4}, c.recvBytes());
            assertArrayEquals(big, c.recvBytes());
            sender.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertThrows(EOFException.class, c::recv, "the child closed its end");
            echo.join(HANG);
            assertEquals(0, echo.exitCode());
            assertEquals(shmBefore, thisTreesShmFiles(),
                    "each ring file is unlinked once both of its ends are claimed, before close()");
        }
    }

    @Test
    void virtual_threads_blocked_in_recv_leave_their_carriers_to_other_virtual_threads() throws Exception {
        int blocked = Runtime.getRuntime().availableProcessors() + 2; // more than the carriers
        List<Pipe> pipes = new java.util.ArrayList<>();
        try (java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.CountDownLatch receiving = new java.util.concurrent.CountDownLatch(blocked);
            List<java.util.concurrent.Future<Object>> received = new java.util.ArrayList<>();
            for (int i = 0; i < blocked; i++) {
                Pipe pipe = Pipe.open();
                pipes.add(pipe);
                received.add(threads.submit(() -> {
                    receiving.countDown();
                    return pipe.left().recv();
                }));
            }
            assertTrue(receiving.await(60, TimeUnit.SECONDS));
            Thread.sleep(300); // into their waits (if not yet, the check below passes without showing anything)
            assertEquals(42, threads.submit(() -> 42).get(60, TimeUnit.SECONDS),
                    "another virtual thread ran while " + blocked + " waited in recv");
            for (int i = 0; i < blocked; i++) {
                pipes.get(i).right().send(i);
                assertEquals(i, received.get(i).get(60, TimeUnit.SECONDS));
            }
        } finally {
            pipes.forEach(Pipe::close);
        }
    }

    @Test
    void a_jvm_whose_first_pipe_is_used_on_a_virtual_thread_works(@org.junit.jupiter.api.io.TempDir java.nio.file.Path base) throws Exception {
        java.lang.Process jvm = LaunchedJvm.start(base, VirtualFirstUseMain.class);
        try {
            assertEquals("virtual poll false", LaunchedJvm.lineStartingWith(jvm, "virtual "));
            assertEquals("platform poll false", LaunchedJvm.lineStartingWith(jvm, "platform "));
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the launched JVM did not end");
            assertEquals(0, jvm.exitValue());
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_pending_interrupt_does_not_fail_making_or_first_using_a_pipe_a_queue_or_a_lock() throws Exception {
        Thread.currentThread().interrupt();
        try (Pipe pipe = Pipe.open(); Queue<Integer> queue = new Queue<>(); Lock lock = new Lock()) {
            assertFalse(pipe.left().poll(), "poll of an empty pipe");
            pipe.right().send("x");
            assertTrue(pipe.left().poll());
            queue.putNowait(1);
            assertTrue(lock.tryAcquire());
            lock.release();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status was lost");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void a_one_way_pipe_receives_on_the_left_sends_on_the_right_and_refuses_the_wrong_direction() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            Connection reader = pipe.left();
            Connection writer = pipe.right();
            assertTrue(reader.readable());
            assertFalse(reader.writable());
            assertTrue(writer.writable());
            assertFalse(writer.readable());
            assertThrows(IOException.class, () -> reader.send("x"));
            assertThrows(IOException.class, () -> reader.sendBytes(new byte[1]));
            assertThrows(IOException.class, writer::recv);
            assertThrows(IOException.class, writer::poll);
            Process p = new Process(checked(() -> {
                try (writer) {
                    writer.send("from the child");
                    try {
                        writer.recv();
                        System.exit(3);
                    } catch (IOException wrongDirection) {
                        // expected
                    }
                }
            }));
            p.start();
            assertEquals("from the child", reader.recv());
            assertThrows(EOFException.class, reader::recv);
            p.join(HANG);
            assertEquals(0, p.exitCode());
        }
    }

    @Test
    void an_unused_pipe_leaves_no_file_after_close() {
        Pipe.open().close();
        Pipe.open(false).close();
    }

    @Test
    void closing_an_end_never_used_nor_passed_on_gives_the_other_end_EOF_and_a_broken_pipe() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection left = pipe.left();
            pipe.right().close(); // its only copy, never used: nobody can ever send or receive on it
            assertTrue(left.poll(), "end of file makes poll true");
            assertInstanceOf(EOFException.class, thrownWithin(left::recv));
            assertInstanceOf(BrokenRingException.class, thrownWithin(() -> left.send("x")), "the receiver is gone");
        }
        try (Pipe pipe = Pipe.open()) {
            Connection left = pipe.left();
            left.send("claims the left end first");
            pipe.right().close();
            assertInstanceOf(EOFException.class, thrownWithin(left::recv));
            assertInstanceOf(BrokenRingException.class, thrownWithin(() -> left.send("x")));
        }
        try (Pipe oneWay = Pipe.open(false)) {
            oneWay.right().close();
            assertTrue(oneWay.left().poll(), "end of file makes poll true");
            assertInstanceOf(EOFException.class, thrownWithin(oneWay.left()::recv));
        }
        try (Pipe oneWay = Pipe.open(false)) {
            oneWay.left().close();
            assertInstanceOf(BrokenRingException.class, thrownWithin(() -> oneWay.right().sendBytes(new byte[100])));
        }
    }

    @Test
    void a_child_sees_EOF_when_the_parent_closes_its_writer_without_using_it() throws Exception {
        for (boolean duplex : new boolean[] {false, true}) {
            try (Pipe pipe = Pipe.open(duplex)) {
                Connection reader = pipe.left();
                Process child = new Process(checked(() -> {
                    try (reader) {
                        if (!reader.poll(HANG.dividedBy(2))) {
                            System.exit(3); // no EOF
                        }
                        try {
                            reader.recv();
                            System.exit(4);
                        } catch (EOFException expected) {
                            // the parent's writer is closed
                        }
                        if (duplex) {
                            try {
                                reader.send("x");
                                System.exit(5);
                            } catch (BrokenRingException expected) {
                                // and the parent's end receives nothing any more
                            }
                        }
                    }
                }));
                child.start();
                pipe.right().close(); // nothing to send: the child must see EOF, as in Python
                assertEquals(0, joined(child), "exit 3: poll saw no EOF; 4: recv returned; 5: send went through; duplex " + duplex);
            }
        }
    }

    @Test
    void an_end_passed_to_a_child_and_closed_unused_here_stays_the_childs_to_use() throws Exception {
        try (Pipe pipe = Pipe.open(false); Pipe go = Pipe.open(false)) {
            Connection writer = pipe.right();
            Connection goSignal = go.left();
            Process child = new Process(checked(() -> {
                try (writer; goSignal) {
                    goSignal.recv(); // until the parent closed its copy of the writer
                    writer.send("from the child");
                }
            }));
            child.start();
            writer.close(); // this process's copy, never used here; the child's copy is still open
            Connection reader = pipe.left();
            assertFalse(reader.poll(), "no end of file while the child holds the writer");
            go.right().send("go");
            assertEquals("from the child", reader.recv());
            assertThrows(EOFException.class, reader::recv, "the child closed its writer");
            assertEquals(0, joined(child));
        }
    }

    /** What {@code call} threw (null if it returned), run in a thread; still blocked after {@link #HANG} fails the test. */
    private static Throwable thrownWithin(ChildBodies.Body call) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        try {
            return outcome.get(HANG.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillBlocked) {
            caller.interrupt();
            caller.join();
            throw new AssertionError("still blocked after " + HANG, stillBlocked);
        }
    }

    @Test
    void recv_after_the_peer_closed_is_EOF_and_a_closed_end_refuses_everything() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            a.send("last");
            a.close();
            a.close();
            assertTrue(a.closed());
            assertThrows(IOException.class, () -> a.send("x"));
            assertThrows(IOException.class, a::recv);
            assertThrows(IOException.class, a::poll);
            assertThrows(IOException.class, () -> a.poll(Duration.ZERO));
            assertEquals("last", b.recv(), "what was sent before close still arrives");
            assertTrue(b.poll(HANG), "end of file makes poll true");
            assertThrows(EOFException.class, b::recv);
        }
    }

    @Test
    void a_child_killed_while_the_parent_blocks_in_recv_gives_EOF_promptly() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection child = pipe.right();
            Process p = new Process(checked(() -> {
                child.send("ready");
                Thread.sleep(HANG.toMillis());
            }));
            p.start();
            Connection c = pipe.left();
            assertEquals("ready", c.recv());
            CompletableFuture.delayedExecutor(BLOCKED.toMillis(), TimeUnit.MILLISECONDS).execute(p::kill);
            long start = System.nanoTime();
            assertThrows(EOFException.class, c::recv);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(PROMPTLY) < 0, "EOF took " + took);
            p.join(HANG);
            assertEquals(-9, p.exitCode());
        }
    }

    @Test
    void a_message_over_the_receivers_limit_closes_the_connection() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            a.sendBytes(new byte[5]);
            a.sendBytes(new byte[100]);
            assertEquals(5, b.recvBytes(5).length);
            IOException e = assertThrows(IOException.class, () -> b.recvBytes(10));
            assertTrue(e.getMessage().contains("100"), e.getMessage());
            assertTrue(b.closed());
            assertThrows(IOException.class, b::recvBytes);
            assertThrows(IOException.class, () -> a.send("x"), "the receiving end is gone");
        }
    }

    @Test
    void a_buffer_too_short_gets_the_whole_message_in_the_exception() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            a.sendBytes(new byte[] {1, 2, 3, 4});
            a.sendBytes(new byte[] {5, 6});
            byte[] buffer = new byte[5];
            BufferTooShortException e = assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(buffer, 2));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, e.message());
            assertEquals(2, b.recvBytesInto(buffer, 3));
            assertArrayEquals(new byte[] {0, 0, 0, 5, 6}, buffer);
        }
    }

    @Test
    void poll_never_consumes_and_waits_up_to_its_timeout() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            assertFalse(b.poll());
            assertFalse(b.poll(Duration.ofMillis(50)));
            assertFalse(b.poll(Duration.ofSeconds(-1)));
            a.send("m");
            assertTrue(b.poll(HANG));
            assertTrue(b.poll());
            Thread.currentThread().interrupt();
            try {
                assertTrue(b.poll(), "poll() looks even when interrupted");
                assertTrue(Thread.currentThread().isInterrupted(), "and keeps the flag");
            } finally {
                Thread.interrupted();
            }
            assertEquals("m", b.recv());
            assertFalse(b.poll());
        }
    }

    @Test
    void an_interrupt_ends_a_blocked_recv_and_the_connection_stays_usable() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            a.send("claim both ends");
            assertEquals("claim both ends", b.recv());
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread receiver = Thread.ofPlatform().start(() -> {
                try {
                    b.recv();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            Thread.sleep(BLOCKED.toMillis());
            receiver.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            a.send("after");
            assertEquals("after", b.recv());
        }
    }

    @Test
    void a_pipe_with_a_small_ring_carries_messages_longer_than_it_between_JVMs() throws Exception {
        byte[] big = new byte[64 * 4096 + 5]; // 64 rings and more: streams in pieces while the child echoes
        for (int i = 0; i < big.length; i += 97) {
            big[i] = (byte) i;
        }
        try (Pipe pipe = Pipe.open(true, 4096)) {
            Connection child = pipe.right();
            Process p = new Process(checked(() -> {
                try (child) {
                    child.sendBytes(child.recvBytes());
                    child.send(child.recv());
                }
            }));
            p.start();
            Connection c = pipe.left();
            c.sendBytes(big);
            c.send(List.of("small", 1));
            assertArrayEquals(big, c.recvBytes());
            assertEquals(List.of("small", 1), c.recv());
            assertEquals(0, joined(p));
        }
    }

    @Test
    void a_small_ring_holds_only_its_size_so_a_longer_send_waits_for_the_reader() throws Exception {
        try (Pipe pipe = Pipe.open(false, 4096)) {
            Connection reader = pipe.left();
            Connection writer = pipe.right();
            assertFalse(reader.poll(), "claims the reader's end");
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    writer.sendBytes(new byte[4 * 4096]); // four rings: cannot all fit before the reader reads
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(BLOCKED.toMillis());
            assertFalse(sent.isDone(), "a send of four times the ring waits while nobody reads");
            assertEquals(4 * 4096, reader.recvBytes().length);
            sent.get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void open_refuses_a_ring_size_that_is_not_a_power_of_two_from_1_KiB_to_1_GiB() {
        for (int bad : new int[] {0, -4096, 512, 1000, 3 * 4096, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pipe.open(true, bad));
            assertTrue(e.getMessage().contains("ringBytes") && e.getMessage().contains(Integer.toString(bad)), e.getMessage());
        }
    }

    @Test
    void an_interrupted_send_on_a_full_ring_delivers_nothing_and_keeps_the_flag() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection a = pipe.left();
            Connection b = pipe.right();
            assertFalse(b.poll(), "claims b's ends");
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    a.sendBytes(new byte[2 * Pipe.RING_CAPACITY]); // twice the ring: blocks, nobody reads
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(Thread.currentThread().isInterrupted() ? t : new AssertionError("flag lost", t));
                }
            });
            Thread.sleep(BLOCKED.toMillis());
            sender.interrupt();
            assertInstanceOf(ProcessError.class, outcome.get(HANG.toSeconds(), TimeUnit.SECONDS));
            sender.join();
            CompletableFuture<Object> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.recv(); // frees the ring full of the dropped message's pieces
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            a.send("after");
            assertEquals("after", next.get(HANG.toSeconds(), TimeUnit.SECONDS),
                    "the pieces of the interrupted message were dropped");
        }
    }

    @Test
    void waitFor_wakes_for_a_ring_connection_and_a_sentinel() throws Exception {
        // NOTE: the child sends when told, not after 200 ms: a test thread stalled that long under load found
        // its message already there at the first, zero-timeout look
        try (Pipe pipe = Pipe.open(); Event go = new Event()) {
            Connection child = pipe.right();
            Process p = new Process(checked(() -> {
                try (child) {
                    go.await(HANG);
                    child.send("hi");
                    child.recv();
                }
            }));
            p.start();
            Connection c = pipe.left();
            assertEquals(List.of(), Connections.waitFor(List.of(c), Duration.ZERO));
            go.set();
            assertEquals(List.of(c), Connections.waitFor(List.of(c, p.sentinel()), HANG));
            assertEquals("hi", c.recv());
            c.send("bye");
            Sentinel sentinel = p.sentinel();
            assertEquals(List.of(sentinel), Connections.waitFor(List.of(sentinel), HANG));
            assertEquals(List.of(c), Connections.waitFor(List.of(c), HANG), "EOF counts as ready");
            assertThrows(EOFException.class, c::recv);
            c.close();
            assertThrows(IOException.class, () -> Connections.waitFor(List.of(c), Duration.ZERO));
        }
    }

    @Test
    void an_end_used_by_one_process_cannot_be_used_by_another() throws Exception {
        long parent = ProcessHandle.current().pid();
        try (Pipe pipe = Pipe.open()) {
            Connection shared = pipe.right();
            shared.send("claimed here");
            Process p = new Process(checked(() -> {
                try {
                    shared.send("from the child");
                    System.exit(3);
                } catch (IOException e) {
                    System.exit(e.getMessage().contains("pid " + parent) ? 7 : 4);
                }
            }));
            assertEquals(7, run(p), "the child's IOException names the owner's pid");
            assertEquals("claimed here", pipe.left().recv());
        }
    }

    @Test
    void decoding_an_end_claims_nothing() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection copy = roundTrip(pipe.right());
            pipe.right().send("from the original"); // claims: the copy took nothing
            IOException e = assertThrows(IOException.class, () -> copy.send("x"));
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertEquals("from the original", pipe.left().recv());
            copy.close();
        }
    }

    private static Connection roundTrip(Connection c) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Connection) in.readObject();
        }
    }

    /** Truncates every /dev/shm file of this process's tree named in {@code description}. */
    static int truncateFilesNamedIn(String description) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("mp4j-[0-9a-f-]+").matcher(description);
        java.util.Set<String> names = new java.util.TreeSet<>();
        while (m.find()) {
            names.add(m.group());
        }
        int n = 0;
        for (String name : names) {
            java.nio.file.Path file = java.nio.file.Path.of("/dev/shm", name);
            if (java.nio.file.Files.exists(file)) {
                try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(0);
                }
                n++;
            }
        }
        return n;
    }

    @Test
    void aRingFileTruncatedUnderALiveChannelGivesIOExceptionNotACrash() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.left().send("claims the left end's rings"); // the right end is unclaimed: its files stay
            assertEquals(2, truncateFilesNamedIn(pipe.toString()));
            IOException onSend = assertThrows(IOException.class, () -> pipe.left().send("after"));
            assertTrue(onSend.getMessage().contains("truncated"), onSend.getMessage());
            assertTrue(pipe.left().closed());
            assertThrows(IOException.class, () -> pipe.right().recv()); // attaching a truncated file is refused
            ((org.multiprocessing4j.internal.pipe.RingConnection) pipe.left()).unlinkRings();
        }
    }
}
