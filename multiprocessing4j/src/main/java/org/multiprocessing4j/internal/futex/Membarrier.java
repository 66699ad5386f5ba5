package org.multiprocessing4j.internal.futex;

import org.multiprocessing4j.internal.Configuration;

/**
 * The asymmetric store→load fence of Linux {@code membarrier(2)}, across processes: a thread on the rare
 * side of a Dekker handshake (a waiter about to sleep) issues {@link #globalBarrier()}, which makes every
 * running thread of every process that {@linkplain #REGISTERED registered} execute a full memory barrier;
 * threads on the frequent side (a lock's release) then need no fence instruction of their own between
 * their store and their load, only program order (which a JIT keeps for ordered accesses to the same
 * shared mapping).
 *
 * <p>Each process registers once, when this class initializes ({@code MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED},
 * Linux 4.16+). A process whose registration failed (an older kernel, a seccomp filter), or that runs with
 * {@code -Dmultiprocessing4j.membarrier=false}, keeps its own fence: it is not covered by other processes'
 * barriers. Waiters issue the barrier whenever the kernel offers it, whatever that property says, so
 * processes that disagree on it stay correct. A barrier costs a system call and an inter-processor
 * interrupt to the CPUs running registered threads: about 4 µs on the 2-vCPU machine of DESIGN.md.
 * Thread-safe.
 */
/*
 * Implementation notes
 *
 * Why it is enough (the proof liburcu and the JVM's own UseSystemMemoryBarrier rely on): the kernel
 * guarantees that, between entry to and return from the command, every running thread of a registered
 * process passes through a point P where all its earlier memory accesses are globally visible and none
 * of its later ones has been performed; a thread not running then passes through a context switch,
 * itself a full barrier. Take a releaser's program order "store A; load B" and a waiter's "store B
 * (atomic); barrier; load A". If the releaser's store A is before P, it is visible when the barrier
 * returns, so the waiter's load A sees it. If it is after P, so is the load B, which then sees the
 * waiter's store B (made before the barrier began). Either the waiter sees the release or the releaser
 * sees the waiter.
 */
public final class Membarrier {
    private static final long CMD_QUERY = 0;
    private static final long CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final long CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /** True if the kernel offers the expedited global barrier: waiters issue it. */
    public static final boolean AVAILABLE;
    /** True if this process receives other processes' barriers: its releases may skip their fence. */
    public static final boolean REGISTERED;

    static {
        boolean available = false;
        boolean registered = false;
        long needed = CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED;
        long offered = call(CMD_QUERY);
        if (offered > 0 && (offered & needed) == needed) {
            available = true;
            registered = Configuration.membarrierEnabled() && call(CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
        }
        AVAILABLE = available;
        REGISTERED = registered;
    }

    private Membarrier() {
    }

    /**
     * Makes every running thread of every registered process execute a full memory barrier before this
     * returns (see the class doc). Blocks for a few microseconds.
     *
     * @return false if the kernel refused (never expected once {@link #AVAILABLE}); the caller must then
     *         not rely on the barrier
     */
    public static boolean globalBarrier() {
        return AVAILABLE && call(CMD_GLOBAL_EXPEDITED) == 0;
    }

    private static long call(long command) {
        return Syscalls.membarrier(command);
    }
}
