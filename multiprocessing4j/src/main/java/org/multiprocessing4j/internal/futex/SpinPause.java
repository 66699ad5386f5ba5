package org.multiprocessing4j.internal.futex;

/**
 * The pause between two looks of a spinning waiter, before it sleeps on a futex: a CPU pause
 * ({@link Thread#onSpinWait()}) for the first {@value #PURE_SPINS} looks, a {@link Thread#yield()} after.
 *
 * <p>Why yield: a waiter spins because the thread it waits for may answer within microseconds, on another
 * CPU. When there is no other CPU for it (two processes sharing one CPU, a pool with more busy processes
 * than cores, or the JIT compiler and GC threads of every JVM wanting the cores a busy ping-pong holds),
 * a pure spin keeps the CPU that thread needs for the whole budget. A yield gives it up to any runnable
 * thread at once and returns in about a microsecond when there is none. The pure part still catches a
 * hand-off on another CPU without a system call (the ~1 µs ping-pongs of DESIGN.md §3).
 *
 * <p>Measured on the 2-vCPU machine of DESIGN.md, bench {@code sync_pingpong} (Semaphore round trip, median
 * of 5 repetitions), runs alternating with the build before: both processes pinned to one CPU 20.4 and
 * 16.0 µs before, 8.2 and 9.0 µs with yields; unpinned 6.4-13.3 µs before, 6.3-10.5 µs after (warm-up
 * noise dominates there). Used by the shared-memory locks, semaphores, events, conditions, barriers and
 * queues. The pipes' ring ({@code internal.ring.RingEnd}) keeps a pure spin: its ping-pong pinned to one
 * CPU was already 13 µs (CPython's 19 µs), and pool workers and relays ride on it.
 * Stateless and thread-safe.
 */
public final class SpinPause {
    /** Looks made with a CPU pause before the pauses become yields: about 2-3 µs on the machine above. */
    public static final int PURE_SPINS = 32;

    private SpinPause() {
    }

    /**
     * Pauses before look number {@code look + 1} of one spin (counting from 0).
     *
     * @param look how many looks this spin has made so far
     */
    public static void pause(int look) {
        if (look < PURE_SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
