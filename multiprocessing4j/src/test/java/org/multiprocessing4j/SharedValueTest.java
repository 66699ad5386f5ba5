package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.sharedmem.CellsLayout;

/** Value, Array and their raw forms across real child JVMs: exactness under the lock, visibility, bad input. */
class SharedValueTest extends ChildProcessTestBase {
    static final int PROCESSES = 4;
    static final int INCREMENTS = 100_000;

    @Test
    void chars_add_atomically_as_unsigned_16_bit_numbers_and_leave_their_neighbours_alone() {
        try (CharValue c = Value.ofChar('\uFFFF'); CharArray a = Array.ofChars(new char[] {'a', '\uFFFE', 'c'})) {
            assertEquals('\uFFFF', c.getAndAdd((char) 2));
            assertEquals('\u0001', c.get(), "wraps around");
            assertEquals('\uFFFE', a.getAndAdd(1, (char) 3));
            assertArrayEquals(new char[] {'a', '\u0001', 'c'}, a.toArray());
            assertThrows(IndexOutOfBoundsException.class, () -> a.getAndAdd(3, (char) 1));
        }
    }

    @Test
    void four_processes_incrementing_100000_times_each_under_the_values_lock_give_exactly_400000() throws Exception {
        try (IntValue counter = Value.ofInt(0); Barrier start = new Barrier(PROCESSES); LongArray seen = Array.rawLongs(2 * PROCESSES)) {
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                int worker = i;
                workers.add(new Process(ChildBodies.checked(() -> {
                    RLock lock = counter.getLock();
                    start.await(); // NOTE: all four count at once, not one after another as their JVMs come up
                    int first = -1;
                    int last = -1;
                    for (int n = 0; n < INCREMENTS; n++) {
                        lock.lock();
                        try {
                            last = counter.get();
                            counter.set(last + 1); // a compound update: only the lock keeps it exact
                        } finally {
                            lock.unlock();
                        }
                        if (n == 0) {
                            first = last;
                        }
                    }
                    seen.set(2 * worker, first);
                    seen.set(2 * worker + 1, last);
                })));
            }
            workers.forEach(Process::start);
            for (Process p : workers) {
                p.join(HANG);
                assertEquals(0, p.exitCode(), "worker " + p);
            }
            assertEquals(PROCESSES * INCREMENTS, counter.get());
            // One after another, each worker would see the counter go from its first value to its last in
            // exactly INCREMENTS - 1 steps; a longer span means other workers' increments came in between.
            long interleaved = 0;
            StringBuilder spans = new StringBuilder();
            for (int i = 0; i < PROCESSES; i++) {
                long span = seen.get(2 * i + 1) - seen.get(2 * i);
                spans.append(span).append(' ');
                if (span > INCREMENTS - 1) {
                    interleaved++;
                }
            }
            assertTrue(interleaved > 0, "no worker's increments were interleaved with another's (spans " + spans
                    + "): the test did not make the lock contended");
        }
    }

    /**
     * Two of the processes release the lock with their own fence ({@code multiprocessing4j.membarrier=false}),
     * two without one (relying on the waiters' membarrier): a lost wake-up between them would hang the join
     * (a failure after the timeout), a lost update would show in the count.
     */
    @Test
    void processes_releasing_with_and_without_a_fence_share_a_lock_exactly() throws Exception {
        Context fenced = Context.builder().systemProperty("multiprocessing4j.membarrier", "false").build();
        try (IntValue counter = Value.ofInt(0)) {
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                SerializableRunnable work = () -> {
                    RLock lock = counter.getLock();
                    for (int n = 0; n < INCREMENTS; n++) {
                        lock.lock();
                        try {
                            counter.set(counter.get() + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                };
                workers.add(i % 2 == 0 ? fenced.process(work) : new Process(work));
            }
            workers.forEach(Process::start);
            for (Process p : workers) {
                p.join(HANG);
                assertEquals(0, p.exitCode(), "worker " + p);
            }
            assertEquals(PROCESSES * INCREMENTS, counter.get());
        }
    }

    @Test
    void four_processes_adding_to_long_and_short_values_and_a_byte_array_without_a_lock_lose_nothing() throws Exception {
        try (LongValue total = Value.rawLong(0); ShortValue small = Value.ofShort((short) 0);
             ByteArray bytes = Array.rawBytes(8)) {
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                int lane = i;
                workers.add(new Process(() -> {
                    for (int n = 0; n < INCREMENTS; n++) {
                        total.getAndAdd(3L);
                        small.getAndAdd((short) 1);
                        bytes.getAndAdd(lane, (byte) 1);     // neighbours in one 4-byte word, CASed by all
                        bytes.getAndAdd(4 + (n & 3), (byte) 1);
                    }
                }));
            }
            workers.forEach(Process::start);
            for (Process p : workers) {
                p.join(HANG);
                assertEquals(0, p.exitCode(), "worker " + p);
            }
            assertEquals(3L * PROCESSES * INCREMENTS, total.get());
            assertEquals((short) (PROCESSES * INCREMENTS), small.get(), "wraps as a short");
            for (int lane = 0; lane < 4; lane++) {
                assertEquals((byte) INCREMENTS, bytes.get(lane), "lane " + lane);
                assertEquals((byte) INCREMENTS, bytes.get(4 + lane), "shared lane " + lane);
            }
        }
    }

    @Test
    void a_child_sees_the_parents_writes_and_the_parent_sees_the_childs_for_every_type() throws Exception {
        try (ByteValue b = Value.ofByte((byte) -3); ShortValue s = Value.rawShort((short) 300); IntValue i = Value.ofInt(7);
             LongValue l = Value.ofLong(1L << 40); FloatValue f = Value.ofFloat(1.5f); DoubleValue d = Value.rawDouble(2.25);
             CharValue c = Value.ofChar('x'); DoubleArray da = Array.ofDoubles(new double[] {1, 2, 3});
             CharArray ca = Array.rawChars(new char[] {'a', 'b'}); LongArray la = Array.ofLongs(2)) {
            Process child = new Process(() -> {
                check(b.get() == -3 && s.get() == 300 && i.get() == 7 && l.get() == 1L << 40 && f.get() == 1.5f
                        && d.get() == 2.25 && c.get() == 'x', "values");
                check(java.util.Arrays.equals(da.toArray(), new double[] {1, 2, 3}) && ca.get(1) == 'b' && la.get(1) == 0,
                        "arrays");
                b.set((byte) 4);
                s.set((short) -2);
                i.getAndAdd(1);
                l.compareAndSet(1L << 40, 5L);
                f.getAndAdd(1f);
                d.set(-0.5);
                c.compareAndSet('x', 'y');
                da.copyFrom(new double[] {9, 8});
                ca.set(0, 'z');
                la.set(1, -1L);
            });
            assertEquals(0, run(child));
            assertEquals(4, b.get());
            assertEquals(-2, s.get());
            assertEquals(8, i.get());
            assertEquals(5L, l.get());
            assertEquals(2.5f, f.get());
            assertEquals(-0.5, d.get());
            assertEquals('y', c.get());
            assertArrayEquals(new double[] {9, 8, 3}, da.toArray());
            assertArrayEquals(new char[] {'z', 'b'}, ca.toArray());
            assertArrayEquals(new long[] {0, -1}, la.toArray());
        }
    }


    /**
     * A raw array's {@code set} is a release write and its {@code get} an acquire read: a child fills the
     * elements 1..n of each round and then publishes the round in element 0; the parent, spinning on element
     * 0, must then see every element of that round. A {@code get} hoisted out of the spin loop would hang it
     * (turned into a failure by the join timeout), a reordered {@code set} would show an old element.
     */
    @Test
    void a_raw_arrays_set_publishes_the_writes_before_it_to_a_get_that_sees_it() throws Exception {
        int n = 10_000;
        int rounds = 50;
        try (LongArray mailbox = Array.rawLongs(n + 1); LongArray ack = Array.rawLongs(1)) {
            Process writer = new Process(() -> {
                for (long r = 1; r <= rounds; r++) {
                    while (ack.get(0) != r - 1) {
                        Thread.onSpinWait();
                    }
                    for (int i = 1; i <= n; i++) {
                        mailbox.set(i, r * n + i);
                    }
                    mailbox.set(0, r);
                }
            });
            writer.start();
            try {
                for (long r = 1; r <= rounds; r++) {
                    long deadline = System.nanoTime() + HANG.toNanos();
                    while (mailbox.get(0) != r) {
                        assertTrue(System.nanoTime() < deadline, "round " + r + " was never published");
                        Thread.onSpinWait();
                    }
                    for (int i = 1; i <= n; i++) {
                        assertEquals(r * n + i, mailbox.get(i), "element " + i + " of round " + r);
                    }
                    ack.set(0, r);
                }
                writer.join(HANG);
                assertEquals(0, writer.exitCode());
            } finally {
                if (writer.isAlive()) {
                    writer.kill();
                    writer.join(HANG);
                }
            }
        }
    }
    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("the child saw wrong " + what);
        }
    }

    @Test
    void atomics_of_every_type_return_the_previous_value_and_fail_on_a_wrong_expectation() {
        try (ByteArray b = Array.ofBytes(new byte[] {127, 0, 0, 0, 0}); ShortArray s = Array.ofShorts(3);
             IntArray i = Array.rawInts(2); FloatArray f = Array.ofFloats(1); DoubleArray d = Array.ofDoubles(1);
             CharArray c = Array.ofChars(3); CharValue cv = Value.ofChar('\uffff')) {
            assertEquals(127, b.getAndAdd(0, (byte) 1));
            assertEquals(-128, b.get(0), "wraps");
            assertEquals(0, b.get(1), "the neighbour in the same word is untouched");
            assertTrue(b.compareAndSet(4, (byte) 0, (byte) -1));
            assertFalse(b.compareAndSet(4, (byte) 0, (byte) 1));
            assertEquals(-1, b.get(4));
            assertEquals(0, s.getAndAdd(2, (short) -5));
            assertEquals(-5, s.get(2));
            assertTrue(s.compareAndSet(2, (short) -5, Short.MAX_VALUE));
            assertEquals(0, s.get(1));
            assertEquals(0, i.getAndAdd(1, Integer.MAX_VALUE));
            assertTrue(i.compareAndSet(1, Integer.MAX_VALUE, 1));
            assertEquals(0f, f.getAndAdd(0, 0.25f));
            assertEquals(0.25f, f.get(0));
            assertFalse(d.compareAndSet(0, -0.0, 1.0), "compares bits: -0.0 is not 0.0");
            assertTrue(d.compareAndSet(0, 0.0, Double.NaN));
            assertTrue(d.compareAndSet(0, Double.NaN, 3.0));
            assertEquals(3.0, d.getAndAdd(0, 1.0));
            assertTrue(c.compareAndSet(1, '\0', '\u20ac'));
            assertEquals('\u20ac', c.get(1));
            assertEquals('\0', c.get(0));
            assertEquals('\0', c.get(2));
            assertTrue(cv.compareAndSet('\uffff', 'q'));
            assertEquals('q', cv.get());
        }
    }

    @Test
    void bulk_copies_check_their_ranges_and_the_segment_view_shows_the_elements() {
        try (IntArray a = Array.ofInts(4); DoubleArray raw = Array.rawDoubles(new double[] {0.5, 1.5})) {
            a.copyFrom(new int[] {1, 2, 3, 4, 5}, 1, 0, 4);
            assertArrayEquals(new int[] {2, 3, 4, 5}, a.toArray());
            assertArrayEquals(new int[] {3, 4}, a.toArray(1, 3));
            assertEquals(16, a.segment().byteSize());
            assertEquals(4, a.segment().getAtIndex(JAVA_INT, 2));
            a.segment().setAtIndex(JAVA_INT, 3, 40);
            assertEquals(40, a.get(3));
            assertEquals(1.5, raw.segment().getAtIndex(JAVA_DOUBLE, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> a.copyFrom(new int[5]));
            assertThrows(IndexOutOfBoundsException.class, () -> a.copyFrom(new int[2], 0, 3, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> a.toArray(3, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> a.get(4));
            assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> a.getAndAdd(4, 1));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.compareAndSet(7, 0, 1));
            assertTrue(e.getMessage().contains("7") && e.getMessage().contains("4"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, raw::getLock);
            assertArrayEquals(new double[] {0.5, 1.5}, raw.toArray());
        }
        try (ByteArray empty = Array.ofBytes(0)) {
            assertEquals(0, empty.length());
            assertEquals(0, empty.toArray().length);
        }
    }

    @Test
    void toArray_and_copyFrom_take_the_arrays_lock() throws Exception {
        try (LongArray a = Array.ofLongs(2)) {
            a.getLock().lock();
            Thread copier = Thread.ofPlatform().start(() -> a.copyFrom(new long[] {1, 2}));
            try {
                copier.join(QueueTest.BLOCKED);
                assertTrue(copier.isAlive(), "copyFrom must wait for the lock");
                assertArrayEquals(new long[] {0, 0}, a.toArray(), "reentrant for the holder");
            } finally {
                a.getLock().unlock();
            }
            copier.join(HANG.toMillis());
            assertFalse(copier.isAlive());
            assertArrayEquals(new long[] {1, 2}, a.toArray());
        }
    }

    @Test
    void bad_input_and_use_after_close_get_clear_exceptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Array.ofDoubles(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Array.rawChars(-5));
        assertThrows(NullPointerException.class, () -> Array.ofInts(null));
        IntValue v = Value.rawInt(1);
        assertThrows(UnsupportedOperationException.class, v::getLock);
        v.close();
        v.close();
        assertThrows(IllegalStateException.class, v::get);
        assertThrows(IllegalStateException.class, () -> v.set(2));
    }

    @Test
    void a_copy_attaching_to_a_file_of_another_layout_version_fails_naming_both_versions() throws Exception {
        try (DoubleValue v = Value.ofDouble(1.0)) {
            DoubleValue copy = roundTrip(v);
            try (FileChannel raw = FileChannel.open(v.cells.path(), StandardOpenOption.WRITE)) {
                raw.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 99), 8);
            }
            ProcessError error = assertThrows(ProcessError.class, copy::get);
            assertTrue(error.getMessage().contains("version 99") && error.getMessage().contains("version " + CellsLayout.VERSION), error.getMessage());
        }
    }

    @Test
    void after_the_creator_closes_a_copy_used_for_the_first_time_fails_but_one_in_use_keeps_working() throws Exception {
        IntArray a = Array.ofInts(new int[] {5});
        IntArray inUse = roundTrip(a);
        assertEquals(5, inUse.get(0));
        a.close();
        assertFalse(Files.exists(a.cells.path()));
        inUse.set(0, 6);
        assertEquals(6, roundTrip(a).get(0), "decoded again while a copy is open: that copy, still working");
        inUse.getLock().lock();
        inUse.getLock().unlock();
        inUse.close();
        IntArray unused = roundTrip(a); // no open copy left in this JVM: a new one, first used now
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> unused.get(0));
        assertTrue(e.getMessage().contains("gone"), e.getMessage());
    }

    @Test
    void a_child_killed_holding_a_values_lock_does_not_leave_it_held() throws Exception {
        try (LongValue v = Value.ofLong(0); Queue<String> told = new Queue<>()) {
            Process holder = new Process(ChildBodies.checked(() -> {
                v.getLock().lock();
                v.set(-1); // half done: the parent repairs it
                told.put("held");
                Thread.sleep(HANG.toMillis());
            }));
            holder.start();
            assertEquals("held", told.get(HANG));
            holder.kill();
            holder.join(HANG);
            OwnerDiedException died = assertThrows(OwnerDiedException.class, () -> v.getLock().acquire(HANG));
            assertEquals(holder.pid().getAsLong(), died.deadPid());
            try {
                assertTrue(v.getLock().isHeldByCurrentThread(), "the caller holds the lock after OwnerDiedException");
                assertEquals(-1, v.get());
                v.set(0);
            } finally {
                v.getLock().release();
            }
        }
    }

    @Test
    void context_factories_make_values_and_arrays_with_a_lock() {
        try (Context ctx = Context.builder().build(); DoubleValue d = ctx.value(0.5); IntArray a = ctx.array(new int[] {1, 2})) {
            assertEquals(0.5, d.get());
            assertEquals(2, a.length());
            d.getLock().lock();
            d.getLock().unlock();
            assertEquals(1, a.getLock().getHoldCount() + 1);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T roundTrip(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
