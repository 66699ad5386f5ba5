package org.multiprocessing4j;

import java.io.Serial;
import org.multiprocessing4j.internal.sharedmem.CellKind;

/**
 * A single primitive in shared memory, visible to every process that has its handle: Python's
 * {@code multiprocessing.Value} and {@code RawValue}. One type per element type:
 * {@link ByteValue}, {@link ShortValue}, {@link IntValue}, {@link LongValue}, {@link FloatValue},
 * {@link DoubleValue}, {@link CharValue}, made by {@code Value.ofInt(0)} (with a lock, CPython's
 * default) or {@code Value.rawInt(0)} (without), and likewise for each type.
 *
 * <table class="striped">
 * <caption>Python → Java</caption>
 * <tr><td>{@code v = Value('i', 0)}</td><td>{@code IntValue v = Value.ofInt(0)}</td></tr>
 * <tr><td>{@code v.value}, {@code v.value = 5}</td><td>{@code v.get()}, {@code v.set(5)}</td></tr>
 * <tr><td>{@code with v.get_lock(): v.value += 1}</td><td>{@code v.getLock().lock(); try { v.set(v.get() + 1); } finally { v.getLock().unlock(); }}
 *     or, lock-free, {@code v.getAndAdd(1)}</td></tr>
 * <tr><td>{@code RawValue('d', 0.0)}</td><td>{@code Value.rawDouble(0.0)}</td></tr>
 * </table>
 *
 * <p>Accesses: {@code get}/{@code set} are volatile accesses of the shared word (CPython's
 * synchronized wrapper takes the lock for each; a volatile access gives one read or write the same
 * atomicity and ordering without it). {@code getAndAdd} and {@code compareAndSet} are atomic
 * without the lock (beyond Python). {@link #getLock()} is an {@link RLock} living in the same shared
 * memory, for compound updates; a process that dies holding it does not leave it held (see {@link RLock}).
 * Everything a process did before a {@code set} (or before releasing the lock) happens-before what a
 * process does after a {@code get} that sees it (or after acquiring the lock).
 *
 * <p>Processes: a value is a serializable handle; a child that captures one uses the same memory and
 * lock, mapping them on first use (decoding has no side effects). Decoding the same handle again in a JVM
 * gives the same instance while it is open: every pool task that captures a value uses one decoded copy,
 * one mapping and one {@link #getLock() lock} object in its worker; closing that copy closes it for all
 * of them, and the next decode gives a new copy, which maps the file afresh. The creating process's own
 * object is never handed out so (a decode there gives a copy of its own). Lifetime: {@link #close()}.
 */
public abstract sealed class Value extends SharedCells permits ByteValue, ShortValue, IntValue, LongValue, FloatValue, DoubleValue, CharValue {
    @Serial
    private static final long serialVersionUID = 1L;

    Value(CellKind kind, boolean withLock) {
        super(kind, 1, withLock);
    }

    /**
     * A new {@code byte} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('b', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteValue ofByte(byte initial) {
        return new ByteValue(initial, true);
    }

    /**
     * A new {@code byte} holding {@code initial}, without a lock (Python's {@code RawValue('b', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ByteValue rawByte(byte initial) {
        return new ByteValue(initial, false);
    }

    /**
     * A new {@code short} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('h', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortValue ofShort(short initial) {
        return new ShortValue(initial, true);
    }

    /**
     * A new {@code short} holding {@code initial}, without a lock (Python's {@code RawValue('h', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static ShortValue rawShort(short initial) {
        return new ShortValue(initial, false);
    }

    /**
     * A new {@code int} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('i', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntValue ofInt(int initial) {
        return new IntValue(initial, true);
    }

    /**
     * A new {@code int} holding {@code initial}, without a lock (Python's {@code RawValue('i', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static IntValue rawInt(int initial) {
        return new IntValue(initial, false);
    }

    /**
     * A new {@code long} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('q', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongValue ofLong(long initial) {
        return new LongValue(initial, true);
    }

    /**
     * A new {@code long} holding {@code initial}, without a lock (Python's {@code RawValue('q', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static LongValue rawLong(long initial) {
        return new LongValue(initial, false);
    }

    /**
     * A new {@code float} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('f', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatValue ofFloat(float initial) {
        return new FloatValue(initial, true);
    }

    /**
     * A new {@code float} holding {@code initial}, without a lock (Python's {@code RawValue('f', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static FloatValue rawFloat(float initial) {
        return new FloatValue(initial, false);
    }

    /**
     * A new {@code double} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('d', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleValue ofDouble(double initial) {
        return new DoubleValue(initial, true);
    }

    /**
     * A new {@code double} holding {@code initial}, without a lock (Python's {@code RawValue('d', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static DoubleValue rawDouble(double initial) {
        return new DoubleValue(initial, false);
    }

    /**
     * A new {@code char} holding {@code initial}, with its own {@link RLock} (Python's {@code Value('u', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharValue ofChar(char initial) {
        return new CharValue(initial, true);
    }

    /**
     * A new {@code char} holding {@code initial}, without a lock (Python's {@code RawValue('u', initial)}).
     *
     * @param initial the initial value
     * @return the new value
     * @throws ProcessError if the shared memory cannot be created
     */
    public static CharValue rawChar(char initial) {
        return new CharValue(initial, false);
    }
}
