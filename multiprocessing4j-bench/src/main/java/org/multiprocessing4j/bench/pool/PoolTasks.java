package org.multiprocessing4j.bench.pool;

import org.multiprocessing4j.SerializableFunction;

/**
 * The README's module-level task functions ({@code shared/bench/python/README.md}, "Functions"), as
 * static methods and as serializable functions for {@code map}. Results are 64-bit ({@code long}); every
 * sum the workloads check is a {@code long}. Stateless and thread-safe.
 *
 * <p>The serializable constants are lambdas of this class: a worker JVM resolves them from the bench jar on
 * its class path (pool workers get the parent's class path), which is what CPython's pickling of a
 * module-level function by reference does.
 */
public final class PoolTasks {

    /** {@code square(x) = x*x} for an {@code Integer} or {@code Long} item, as a {@code Long}. */
    public static final SerializableFunction<Number, Long> SQUARE = x -> square(x.longValue());
    /** {@code cpu_task(n)}: sum of {@code i*i} for {@code i} in {@code [0, n)}. */
    public static final SerializableFunction<Integer, Long> CPU_TASK = PoolTasks::cpuTask;
    /** {@code spin_task(ms)}: busy-waits {@code ms} milliseconds of the monotonic clock, returns {@code ms}. */
    public static final SerializableFunction<Integer, Integer> SPIN_TASK = PoolTasks::spinTask;
    /** {@code payload_len(b) = len(b)}. */
    public static final SerializableFunction<byte[], Integer> PAYLOAD_LEN = PoolTasks::payloadLen;

    /** {@code cpu_task(200_000)}, the README's figure. */
    public static final long CPU_TASK_200K = 2_666_646_666_700_000L;

    private PoolTasks() {
    }

    /** {@code x * x}. */
    public static long square(long x) {
        return x * x;
    }

    /** Sum of {@code i*i} for {@code i} in {@code [0, n)}, as a plain loop (the README's {@code cpu_task}). */
    public static long cpuTask(int n) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += i * i;
        }
        return s;
    }

    /** Busy-waits until {@link System#nanoTime()} (CLOCK_MONOTONIC) has advanced {@code ms} milliseconds. */
    public static int spinTask(int ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
        return ms;
    }

    /** The length of {@code b}. */
    public static int payloadLen(byte[] b) {
        return b.length;
    }

    /** {@code sum(i*i for i in range(n))} in closed form: what every square sum is checked against. */
    public static long sumOfSquares(long n) {
        return n <= 0 ? 0 : (n - 1) * n * (2 * n - 1) / 6;
    }

    /** Throws unless {@code actual == expected}, naming {@code what}. */
    public static void check(String what, long expected, long actual) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": got " + actual + ", expected " + expected);
        }
    }
}
