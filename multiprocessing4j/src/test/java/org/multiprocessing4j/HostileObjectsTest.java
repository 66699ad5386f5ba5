package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile user objects outside the pool: exceptions whose own methods throw, and items, targets and values
 * whose serialization throws an Error. Each must fail the one call that carried it, with a clear exception,
 * and leave the process, queue, pipe, manager or executor usable. Before: an Error from a writeObject escaped put,
 * send and start bare (not IllegalArgumentException), one from a readObject escaped get and recv bare and ended a
 * manager's serving thread (ManagerUnavailableException from a running manager); a target that failed to serialize
 * left a pipe end it captured counted as handed on, so closing it gave its peer no EOF; a target's exception whose
 * printing threw skipped the child's exit, which then waited for the target's non-daemon threads.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileObjectsTest extends ChildProcessTestBase {

    /** Its writeObject throws an Error in every JVM. */
    static final class WriteRefuses implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            throw new AssertionError("writeObject refuses");
        }
    }

    /** Written anywhere; its readObject throws an Error in every JVM. */
    static final class ReadRefuses implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) {
            throw new AssertionError("readObject refuses");
        }
    }

    /** Written by the JVM that made it; its writeObject throws an Error in any other (a manager's server). */
    static final class WriteRefusesElsewhere implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long madeIn = ProcessHandle.current().pid();

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            if (ProcessHandle.current().pid() != madeIn) {
                throw new AssertionError("writeObject refuses outside pid " + madeIn);
            }
            out.defaultWriteObject();
        }
    }

    /** A key whose hashCode throws a hostile exception. */
    static final class HostileKey implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public int hashCode() {
            throw new HostileException();
        }

        @Override
        public boolean equals(Object o) {
            throw new HostileException();
        }
    }

    // ---------------------------------------------------------------- Process

    @Test
    void a_target_throwing_an_exception_whose_getMessage_throws_exits_1_and_names_it_on_stderr() throws Exception {
        String err;
        Process p = new Process(() -> {
            // a non-daemon thread left running: waited for (as after a normal return), then the child exits with 1
            Thread.ofPlatform().daemon(false).start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            throw new HostileException();
        });
        try (CapturedOutput output = new CapturedOutput()) {
            p.start();
            assertEquals(1, joined(p));
            err = output.err();
        }
        assertTrue(err.contains(HostileException.class.getName() + " [cannot print it"), err);
    }

    @Test
    void a_target_whose_writeObject_throws_an_Error_fails_start_with_IllegalArgumentException() {
        WriteRefuses hostile = new WriteRefuses();
        Process p = new Process(() -> hostile.hashCode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(e.getMessage().contains(WriteRefuses.class.getName()), e.getMessage());
    }

    @Test
    void a_pipe_end_captured_by_a_target_that_failed_to_serialize_still_gives_its_peer_EOF_when_closed() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.right();
            WriteRefuses hostile = new WriteRefuses();
            Process p = new Process(ChildBodies.checked(() -> {
                childEnd.send(hostile.hashCode());
            }));
            assertThrows(Throwable.class, p::start);
            childEnd.close(); // never left this process: the last copy
            assertTrue(pipe.left().poll(SETTLE), "end of file within " + SETTLE);
            assertThrows(EOFException.class, pipe.left()::recv);
        }
    }

    @Test
    void a_pipe_end_captured_by_an_unserializable_target_still_gives_its_peer_EOF_when_closed() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.right();
            Object notSerializable = new Object();
            Process p = new Process(ChildBodies.checked(() -> {
                childEnd.send(notSerializable.hashCode());
            }));
            assertThrows(IllegalArgumentException.class, p::start);
            childEnd.close();
            assertTrue(pipe.left().poll(SETTLE), "end of file within " + SETTLE);
            assertThrows(EOFException.class, pipe.left()::recv);
        }
    }

    static final class ReadRefusingProcess extends Process {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final ReadRefuses field = new ReadRefuses();

        @Override
        public void run() {
        }
    }

    @Test
    void a_process_whose_readObject_throws_an_Error_in_the_child_exits_1_saying_so() throws Exception {
        String err;
        Process p = new ReadRefusingProcess();
        try (CapturedOutput output = new CapturedOutput()) {
            p.start();
            assertEquals(1, joined(p));
            err = output.err();
        }
        assertTrue(err.contains("readObject refuses"), err);
        assertTrue(err.contains("cannot load the process object"), err);
    }

    // ---------------------------------------------------------------- queues

    @Test
    void a_queue_item_whose_writeObject_throws_an_Error_fails_its_put_and_the_queue_goes_on() throws Exception {
        try (Queue<Object> q = new Queue<>()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.put(new WriteRefuses()));
            assertTrue(e.getMessage().contains(WriteRefuses.class.getName()), e.getMessage());
            q.put("after");
            assertEquals("after", q.get(HANG));
        }
    }

    @Test
    void a_joinable_queue_item_that_cannot_be_written_is_not_counted_as_unfinished() throws Exception {
        try (JoinableQueue<Object> q = new JoinableQueue<>()) {
            assertThrows(RuntimeException.class, () -> q.put(new Object()));
            assertThrows(Throwable.class, () -> q.put(new WriteRefuses()));
            q.put("after");
            assertEquals("after", q.get(HANG));
            q.taskDone();
            CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
                try {
                    q.join();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            joined.get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void a_queue_item_whose_readObject_throws_an_Error_fails_that_get_with_ProcessError_and_the_next_item_follows() throws Exception {
        try (Queue<Object> q = new Queue<>()) {
            Process p = new Process(ChildBodies.checked(() -> {
                q.put(1);
                q.put(new ReadRefuses());
                q.put(3);
            }));
            p.start();
            assertEquals(1, q.get(HANG));
            ProcessError e = assertThrows(ProcessError.class, () -> q.get(HANG));
            assertTrue(String.valueOf(e.getMessage()).contains("readObject refuses"), e.getMessage());
            assertEquals(3, q.get(HANG));
            assertEquals(0, joined(p));
        }
    }

    @Test
    void a_simple_queue_item_whose_readObject_throws_an_Error_fails_that_get_and_the_next_item_follows() throws Exception {
        try (SimpleQueue<Object> q = new SimpleQueue<>()) {
            Process p = new Process(ChildBodies.checked(() -> {
                q.put(new ReadRefuses());
                q.put(2);
            }));
            p.start();
            assertThrows(ProcessError.class, q::get);
            assertEquals(2, q.get());
            assertEquals(0, joined(p));
        }
    }

    // ---------------------------------------------------------------- pipes

    @Test
    void a_message_whose_writeObject_throws_an_Error_fails_send_with_IllegalArgumentException_and_the_pipe_goes_on() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipe.left().send(new WriteRefuses()));
            assertTrue(e.getMessage().contains(WriteRefuses.class.getName()), e.getMessage());
            pipe.left().send("after");
            assertEquals("after", pipe.right().recv());
        }
    }

    @Test
    void a_message_whose_readObject_throws_an_Error_fails_that_recv_with_IOException_and_the_next_follows() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.right();
            Process p = new Process(ChildBodies.checked(() -> {
                childEnd.send(new ReadRefuses());
                childEnd.send(2);
            }));
            p.start();
            IOException e = assertThrows(IOException.class, pipe.left()::recv);
            assertTrue(String.valueOf(e.getMessage()).contains("readObject refuses"), e.getMessage());
            assertEquals(2, pipe.left().recv());
            assertEquals(0, joined(p));
        }
    }

    // ---------------------------------------------------------------- managers

    @Test
    void a_dict_value_whose_readObject_throws_an_Error_in_the_manager_fails_that_call_only_and_the_dict_stays() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            d.put("a", 1);
            RuntimeException e = assertThrows(RuntimeException.class, () -> d.put("bad", new ReadRefuses()));
            assertTrue(!(e instanceof ManagerUnavailableException), String.valueOf(e));
            assertTrue(String.valueOf(e.getMessage()).contains("readObject refuses"), String.valueOf(e));
            assertEquals(1, d.get("a"));
            assertEquals(1, d.size());
        }
    }

    @Test
    void a_request_the_manager_cannot_decode_leaves_the_objects_of_the_callers_session_served() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            List<Integer> l = manager.list(List.of(1, 2));
            d.put("a", 1);
            assertThrows(Throwable.class, () -> d.put("bad", new ReadRefuses()));
            assertEquals(1, d.get("a"));
            assertEquals(List.of(1, 2), List.copyOf(l));
        }
    }

    @Test
    void a_dict_value_whose_writeObject_throws_an_Error_in_the_manager_fails_that_call_only_and_the_dict_stays() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            d.put("a", 1);
            d.put("bad", new WriteRefusesElsewhere());
            RuntimeException e = assertThrows(RuntimeException.class, () -> d.get("bad"));
            assertTrue(!(e instanceof ManagerUnavailableException), String.valueOf(e));
            assertTrue(String.valueOf(e.getMessage()).contains(WriteRefusesElsewhere.class.getName()), String.valueOf(e));
            assertEquals(1, d.get("a"));
            assertEquals(2, d.size());
        }
    }

    @Test
    void a_dict_key_whose_hashCode_throws_a_hostile_exception_fails_that_call_only() throws Exception {
        try (Manager manager = Manager.start()) {
            ConcurrentMap<Object, Object> d = manager.dict();
            d.put("a", 1);
            RuntimeException e = assertThrows(RuntimeException.class, () -> d.put(new HostileKey(), 2));
            assertInstanceOf(HostileException.class, e, String.valueOf(e));
            assertThrows(RuntimeException.class, () -> d.get(new HostileKey()));
            assertEquals(1, d.get("a"));
        }
    }

    public interface Thrower {
        int hostile();

        Object unwritable();
    }

    public static final class ThrowerImpl implements Thrower {
        @Override
        public int hostile() {
            throw new HostileException();
        }

        @Override
        public Object unwritable() {
            return new WriteRefuses();
        }
    }

    @Test
    void a_served_method_that_throws_a_hostile_exception_or_returns_an_unwritable_value_fails_that_call_only() throws Exception {
        try (Manager manager = Manager.builder().register(Thrower.class, ThrowerImpl::new).start()) {
            Thrower t = manager.create(Thrower.class);
            assertThrows(HostileException.class, t::hostile);
            RuntimeException e = assertThrows(RuntimeException.class, t::unwritable);
            assertTrue(!(e instanceof ManagerUnavailableException), String.valueOf(e));
            assertTrue(String.valueOf(e.getMessage()).contains(WriteRefuses.class.getName()), String.valueOf(e));
            assertThrows(HostileException.class, t::hostile);
        }
    }

    // ---------------------------------------------------------------- executor

    static int throwHostile() {
        throw new HostileException();
    }

    @Test
    void an_executor_task_with_a_hostile_exception_fails_its_future_and_invokeAny_and_map_report_it() throws Exception {
        try (ProcessPoolExecutor executor = new ProcessPoolExecutor(1)) {
            CompletableFuture<Integer> f = executor.submit(HostileObjectsTest::throwHostile);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(HostileException.class, e.getCause());
            SerializableCallable<Integer> hostile = HostileObjectsTest::throwHostile;
            assertThrows(ExecutionException.class, () -> executor.invokeAny(List.of(hostile, hostile)));
            assertEquals(2, executor.invokeAny(List.of(hostile, (SerializableCallable<Integer>) () -> 2)));
            assertThrows(HostileException.class,
                    () -> executor.map(x -> x == 1 ? throwHostile() : x, List.of(0, 1, 2)).collect(Collectors.toList()));
            assertEquals(List.of(ReadRefuses.class.getName()), List.of(assertThrows(ExecutionException.class,
                    () -> executor.submit(() -> new ReadRefuses()).get(HANG.toSeconds(), TimeUnit.SECONDS)).getCause().getMessage())
                    .stream().map(m -> m.contains("readObject refuses") ? ReadRefuses.class.getName() : m).toList());
            assertEquals(3, executor.submit(() -> 3).get(HANG.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
