package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_CHAR;

import java.io.Serial;
import java.lang.invoke.VarHandle;
import org.multiprocessing4j.internal.sharedmem.Atomics;
import org.multiprocessing4j.internal.sharedmem.CellKind;

/**
 * A {@code char} in shared memory (Python's {@code Value('u')}; made by {@link Value#ofChar(char)}, or
 * {@link Value#rawChar(char)} without a lock). {@link #get()} and {@link #set(char)} are volatile
 * accesses: atomic, and ordered across processes as {@code volatile} fields are across threads;
 * {@link #compareAndSet} and {@link #getAndAdd} are atomic read-modify-writes (a {@code char} adds as an
 * unsigned 16-bit number, wrapping around). A compound update
 * ({@code v.set(v.get() * 2)}) needs {@link #getLock()}. No call blocks except through the lock.
 * See {@link Value} for handles and lifetime. Thread-safe.
 */
public final class CharValue extends Value {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final VarHandle HANDLE = JAVA_CHAR.varHandle().withInvokeExactBehavior();

    CharValue(char initial, boolean withLock) {
        super(CellKind.CHAR, withLock);
        set(initial);
    }

    /**
     * The value (a volatile read; no lock taken).
     *
     * @return the value (a volatile read; no lock taken)
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public char get() {
        return (char) HANDLE.getVolatile(data(), 0L);
    }

    /**
     * Stores {@code value} (a volatile write; no lock taken).
     *
     * @param value the value to store
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public void set(char value) {
        HANDLE.setVolatile(data(), 0L, value);
    }

    /**
     * Atomically adds {@code delta} to the value, as unsigned 16-bit numbers wrapping around, without the
     * lock; volatile semantics.
     *
     * @param delta the amount to add
     * @return the previous value
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public char getAndAdd(char delta) {
        return (char) Atomics.getAndAddField(data(), 0L, 2, delta);
    }

    /**
     * Atomically sets the value to {@code update} if it holds {@code expected}, without the lock; volatile
     * semantics.
     *
     * @param expected the value it must hold
     * @param update the value to store if it holds {@code expected}
     * @return true if it held {@code expected} and now holds {@code update}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public boolean compareAndSet(char expected, char update) {
        return Atomics.compareAndSetField(data(), 0L, 2, expected, update);
    }

    @Override
    public String toString() {
        try {
            return "CharValue(" + get() + (raw() ? ", raw)" : ")");
        } catch (IllegalStateException closed) {
            return "CharValue(closed)";
        }
    }
}
