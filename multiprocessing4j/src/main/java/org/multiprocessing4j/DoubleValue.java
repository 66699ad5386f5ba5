package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.multiprocessing4j.internal.sharedmem.Atomics;
import org.multiprocessing4j.internal.sharedmem.CellKind;

/**
 * A {@code double} in shared memory (Python's {@code Value('d')}; made by {@link Value#ofDouble(double)}, or
 * {@link Value#rawDouble(double)} without a lock). {@link #get()} and {@link #set(double)} are volatile
 * accesses: atomic, and ordered across processes as {@code volatile} fields are across threads;
 * {@link #compareAndSet} and {@link #getAndAdd} are atomic read-modify-writes. A compound update
 * ({@code v.set(v.get() * 2)}) needs {@link #getLock()}. No call blocks except through the lock.
 * See {@link Value} for handles and lifetime. Thread-safe.
 */
public final class DoubleValue extends Value {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final VarHandle HANDLE = JAVA_DOUBLE.varHandle().withInvokeExactBehavior();

    DoubleValue(double initial, boolean withLock) {
        super(CellKind.DOUBLE, withLock);
        set(initial);
    }

    /**
     * The value (a volatile read; no lock taken).
     *
     * @return the value (a volatile read; no lock taken)
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public double get() {
        return (double) HANDLE.getVolatile(data(), 0L);
    }

    /**
     * Stores {@code value} (a volatile write; no lock taken).
     *
     * @param value the value to store
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public void set(double value) {
        HANDLE.setVolatile(data(), 0L, value);
    }

    /**
     * Atomically adds {@code delta} to the value, without the lock; volatile semantics.
     *
     * @param delta the amount to add
     * @return the previous value
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public double getAndAdd(double delta) {
        return Atomics.getAndAddDouble(data(), 0L, delta);
    }

    /**
     * Atomically sets the value to {@code update} if it holds {@code expected}, without the lock; volatile
     * semantics. Compares the bits, as {@link java.lang.invoke.VarHandle} does: {@code -0.0} is not {@code 0.0}, and a NaN equals the same NaN.
     *
     * @param expected the value it must hold
     * @param update the value to store if it holds {@code expected}
     * @return true if it held {@code expected} and now holds {@code update}
     * @throws IllegalStateException if closed in this process (or, in a copy, the creator closed it)
     */
    public boolean compareAndSet(double expected, double update) {
        MemorySegment d = data();
        Atomics.touch(d, 0L); // NOTE: a truncated file faults in this read, not in the CAS (see Atomics.touch)
        return (boolean) HANDLE.compareAndSet(d, 0L, expected, update);
    }

    @Override
    public String toString() {
        try {
            return "DoubleValue(" + get() + (raw() ? ", raw)" : ")");
        } catch (IllegalStateException closed) {
            return "DoubleValue(closed)";
        }
    }
}
