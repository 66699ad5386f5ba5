package org.multiprocessing4j.internal.futex;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * {@code FUTEX_WAIT} and {@code FUTEX_WAKE} on a 4-byte aligned {@code int} of a shared mapping, the
 * kernel's "sleep until this word changes" that lets a thread in one process block until a thread in
 * another wakes it.
 *
 * <p>Contract: {@link #await} sleeps only if the word still holds {@code expected} when the kernel looks
 * (atomically with respect to {@link #wake} on the same word), and for at most the timeout: there is no
 * untimed wait. It may return early for any reason (a wake meant for another waiter, a signal), so the
 * caller re-checks its condition after every return. {@code Thread.interrupt()} does not end a wait; the
 * timeout does. The futex is <em>shared</em> (never {@code FUTEX_PRIVATE_FLAG}): the kernel keys it by the
 * file page, so the two processes may map it at different addresses. The segment must stay mapped for the
 * whole call; a segment of a shared arena is held alive by the call itself. Thread-safe; neither call
 * allocates (a thread's first call sets up its small native scratch segment once). A virtual thread's wait
 * is made by a pooled platform thread while the virtual thread parks ({@link CarrierFreeWait}), so that it
 * does not hold its carrier.
 *
 * <p>Loading this class links the native calls and makes one of each, paying FFM's first-use cost
 * (tens of ms in a fresh JVM) here rather than on a latency path.
 */
public final class Futex {
    /** The mappings whose waits end with their owner's process ({@link #watchOwner}). */
    private static final Map<MemorySegment.Scope, OwnerWatch> OWNERS = new ConcurrentHashMap<>();

    /** Bound while the current thread's waits ignore {@link #OWNERS} ({@link #ignoringOwner}). */
    private static final ScopedValue<Boolean> OWNER_IGNORED = ScopedValue.newInstance();

    /** The owner of a watched mapping, and what the mapping holds (for the exception's message). */
    private record OwnerWatch(ProcessWatch watch, String what) {
    }


    /** How a wait ended. Every outcome but {@link #TIMED_OUT} means "re-check the word now". */
    public enum WaitResult {
        /** Returned 0: woken by {@code FUTEX_WAKE}, or a spurious wake-up. */
        WOKEN,
        /** {@code EAGAIN}: the word did not hold {@code expected}; the thread did not sleep. */
        VALUE_CHANGED,
        /** {@code ETIMEDOUT}: the timeout passed (or was not positive: no syscall then). */
        TIMED_OUT,
        /** {@code EINTR}: a signal handler ran; nothing is known about the word. */
        SIGNALLED
    }

    static {
        // NOTE: pays the first-use cost of FFM (linking, stub generation) at class init, not on first wait.
        // (a shared arena: on a virtual thread the wait below runs on another thread, see CarrierFreeWait)
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(JAVA_INT);
            wake(word, 0, 1); // loads Syscalls, which calls every native handle once
            await(word, 0, 1, 1); // word is 0: EAGAIN at once; warms this path's decoding
        }
    }

    private Futex() {
    }

    /** Does nothing; calling it loads this class, paying FFM's first-use cost now (see the class doc). */
    public static void link() {
        // the static initializer did the work
    }

    /**
     * Sleeps while the {@code int} at {@code offset} equals {@code expected}, for at most
     * {@code timeoutNanos} (a relative timeout; not positive → {@link WaitResult#TIMED_OUT} at once).
     *
     * @throws IllegalArgumentException if the word is not 4-byte aligned or not inside the segment
     * @throws IllegalStateException if the segment is no longer mapped or the kernel reports an error
     *         other than the expected outcomes ({@code EFAULT}, {@code EINVAL}, {@code ENOSYS})
     */
    /**
     * Makes every later {@link #await} on {@code mapping} (any segment of it) in this process throw
     * {@link ManagerUnavailableException} once the process {@code owner} (the manager that made the object the
     * mapping holds) is gone: checked before each sleep, so within one slice of its end. Until
     * {@link #forgetOwner}; once per mapping.
     */
    public static void watchOwner(MemorySegment mapping, ProcessStamp owner, String what) {
        OWNERS.computeIfAbsent(mapping.scope(), s -> new OwnerWatch(ProcessWatch.open(owner), what));
    }

    /**
     * Runs {@code op} with {@link #watchOwner} off for the current thread: its waits sleep as on any
     * mapping, whether the owner lives or not. For a wait that a live process, not the owner, ends (a lock
     * held by another process, taken back after a condition wait).
     */
    public static <T, X extends Throwable> T ignoringOwner(ScopedValue.CallableOp<T, X> op) throws X {
        return ScopedValue.where(OWNER_IGNORED, Boolean.TRUE).call(op);
    }

    /** Ends {@link #watchOwner} for {@code mapping} (before it is unmapped). */
    public static void forgetOwner(MemorySegment mapping) {
        OwnerWatch w = OWNERS.remove(mapping.scope());
        if (w != null) {
            w.watch().close();
        }
    }

    public static WaitResult await(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        MemorySegment word = word(segment, offset);
        if (timeoutNanos <= 0) {
            return WaitResult.TIMED_OUT;
        }
        if (!OWNERS.isEmpty() && !OWNER_IGNORED.isBound()) {
            OwnerWatch owner = OWNERS.get(segment.scope());
            if (owner != null && !owner.watch().isAlive()) {
                throw new ManagerUnavailableException("the manager (pid " + owner.watch().stamp().pid() + ") that made this "
                        + owner.what() + " is gone: a wait on it can no longer be answered");
            }
        }
        if (SharedFile.isClosing(segment)) {
            // NOTE: another thread of this process is closing the mapping: sleeping would hold it (the arena cannot
            // close while a downcall uses it), and a closer that does not know our futex word could not wake us
            throw new IllegalStateException("its shared file is being closed in this process");
        }
        // NOTE: a virtual thread's wait runs on a platform thread, so that it does not hold its carrier
        long r = Thread.currentThread().isVirtual() && CarrierFreeWait.canTake(word)
                ? CarrierFreeWait.futexWait(word, expected, timeoutNanos)
                : Syscalls.futexWait(word, expected, timeoutNanos);
        if (r == 0) {
            return WaitResult.WOKEN;
        }
        return switch ((int) -r) {
            case Syscalls.EAGAIN -> WaitResult.VALUE_CHANGED;
            case Syscalls.ETIMEDOUT -> WaitResult.TIMED_OUT;
            case Syscalls.EINTR -> WaitResult.SIGNALLED;
            default -> throw new IllegalStateException("FUTEX_WAIT failed with errno " + -r + " at " + word);
        };
    }

    /**
     * Wakes up to {@code count} threads (in any process) sleeping in {@link #await} on the word.
     *
     * @return how many were woken
     * @throws IllegalArgumentException if the word is not 4-byte aligned or not inside the segment
     * @throws IllegalStateException if the segment is no longer mapped or the kernel reports an error
     */
    public static int wake(MemorySegment segment, long offset, int count) {
        MemorySegment word = word(segment, offset);
        long r = Syscalls.futexWake(word, count);
        if (r < 0) {
            throw new IllegalStateException("FUTEX_WAKE failed with errno " + -r + " at " + word);
        }
        return (int) r;
    }

    private static MemorySegment word(MemorySegment segment, long offset) {
        if (offset < 0 || offset > segment.byteSize() - 4 || ((segment.address() + offset) & 3) != 0) {
            throw new IllegalArgumentException("a futex word must be a 4-byte aligned int inside the segment: offset "
                    + offset + " of " + segment);
        }
        return segment.asSlice(offset, 4);
    }
}
