package org.multiprocessing4j.internal.futex;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The system calls of this package ({@code futex}, {@code pidfd_open}, {@code ppoll}, {@code close},
 * {@code membarrier}), all made through one linked {@code syscall(2)} handle. Each method returns what the
 * kernel returned, or minus the {@code errno} when the call failed (the kernel's own convention), so callers
 * never see the captured-state segment. Thread-safe; blocks only in {@link #futexWait}. Linux on x86-64 or
 * AArch64 only: anything else fails at class init with {@link UnsupportedOperationException}.
 */
/*
 * Implementation notes
 *
 * One handle, not one per call shape: in a fresh JVM the first FFM downcall handle costs 50-100 ms of
 * linking (the ABI classes, a spun stub class and some 60 lambda forms, all generated with the class-file
 * API and then compiled by the JIT), and every further shape another 5-40 ms and more JIT work. Loading
 * Futex took 170-240 ms and 220-280 ms of JIT CPU with six handles, 140-190 ms and 130-170 ms with one;
 * in a pool worker booting next to its parent and a sibling on two CPUs, the linking stood on the path to
 * its first task for over 300 ms (seen with -Xlog:class+load).
 *
 * The shape is futex's: syscall(long nr, ADDRESS, long, long, ADDRESS, long, long), errno captured.
 * glibc's syscall() is variadic and moves six register-sized arguments into the kernel's registers, so
 * every argument after the number is a long or a pointer. Where a call passes a number in an ADDRESS
 * position (pidfd_open's pid, close's fd, membarrier's command) it goes as MemorySegment.ofAddress(n): a
 * zero-length segment whose address is n, which the linker passes as that register value. The futex word
 * stays a real segment so that the call holds its mapping's session: the arena cannot be closed (and the
 * file unmapped) while a thread sleeps on the word.
 *
 * Every thread has one scratch segment (an automatic arena, freed by the GC with the thread): the
 * captured errno first, then a timespec, then a pollfd. Calls on one thread never overlap, so it needs no
 * lock, and the calls allocate nothing. ppoll's timeout goes as a plain address into the scratch segment;
 * that is safe because the scratch segment is itself an argument of the same call (the captured state),
 * so it stays alive through it.
 */
@SuppressWarnings("restricted") // linking native code is this class's job; JVMs run with --enable-native-access
final class Syscalls {
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ESRCH = 3;
    static final int ENOSYS = 38;
    static final int ETIMEDOUT = 110;

    /** {@code SYS_futex}: 202 on x86-64, 98 on AArch64. */
    private static final long SYS_FUTEX;
    /** {@code SYS_pidfd_open}: 434 on every architecture (Linux 5.3+). */
    private static final long SYS_PIDFD_OPEN = 434;
    /** {@code SYS_membarrier}: 324 on x86-64, 283 on AArch64 (Linux 4.3+; the expedited global command 4.16+). */
    private static final long SYS_MEMBARRIER;
    /** {@code SYS_ppoll}: 271 on x86-64, 73 on AArch64 (which has no plain {@code poll}). */
    private static final long SYS_PPOLL;
    /** {@code SYS_close}: 3 on x86-64, 57 on AArch64. */
    private static final long SYS_CLOSE;

    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final short POLLIN = 1;

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Where the timespec starts in a thread's scratch segment: after the captured state, 8-aligned. */
    private static final long TIMESPEC_OFFSET = (CAPTURE_LAYOUT.byteSize() + 7) & ~7L;
    /** Where a {@code struct pollfd} starts: after the timespec. */
    private static final long POLLFD_OFFSET = TIMESPEC_OFFSET + 16;
    private static final long SCRATCH_SIZE = POLLFD_OFFSET + 8;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE, 8));

    /** {@code long syscall(long nr, void *a1, long a2, long a3, void *a4, long a5, long a6)}, errno captured. */
    private static final MethodHandle SYSCALL;

    static {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new UnsupportedOperationException("futex and pidfd need Linux, not " + os);
        }
        boolean x86 = switch (arch) {
            case "amd64", "x86_64" -> true;
            case "aarch64", "arm64" -> false;
            default -> throw new UnsupportedOperationException("no system call numbers for architecture " + arch);
        };
        SYS_FUTEX = x86 ? 202 : 98;
        SYS_MEMBARRIER = x86 ? 324 : 283;
        SYS_PPOLL = x86 ? 271 : 73;
        SYS_CLOSE = x86 ? 3 : 57;
        Linker linker = Linker.nativeLinker();
        SYSCALL = linker.downcallHandle(linker.defaultLookup().findOrThrow("syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        warmUp();
    }

    private Syscalls() {
    }

    /**
     * {@code FUTEX_WAIT} on a shared word for at most {@code timeoutNanos} (positive).
     *
     * @return 0 if woken (or spuriously), else minus the errno ({@code -EAGAIN}: the word did not hold
     *         {@code expected}; {@code -ETIMEDOUT}; {@code -EINTR})
     */
    static long futexWait(MemorySegment word, int expected, long timeoutNanos) {
        MemorySegment scratch = SCRATCH.get();
        scratch.set(JAVA_LONG, TIMESPEC_OFFSET, timeoutNanos / NANOS_PER_SECOND);
        scratch.set(JAVA_LONG, TIMESPEC_OFFSET + 8, timeoutNanos % NANOS_PER_SECOND);
        return call(scratch, SYS_FUTEX, word, FUTEX_WAIT, expected & 0xFFFF_FFFFL,
                scratch.asSlice(TIMESPEC_OFFSET, 16), 0L, 0L);
    }

    /** {@code FUTEX_WAKE}: how many waiters were woken, or minus the errno. Allocates nothing. */
    static long futexWake(MemorySegment word, int count) {
        MemorySegment scratch = SCRATCH.get();
        return call(scratch, SYS_FUTEX, word, FUTEX_WAKE, count, MemorySegment.NULL, 0L, 0L);
    }

    /** {@code pidfd_open(pid, 0)}: the new pidfd, or minus the errno ({@code -ESRCH}, {@code -ENOSYS}). */
    static long pidfdOpen(long pid) {
        return call(SCRATCH.get(), SYS_PIDFD_OPEN, MemorySegment.ofAddress(pid), 0L, 0L, MemorySegment.NULL, 0L, 0L);
    }

    /**
     * A zero-timeout {@code ppoll} for {@code POLLIN} on one descriptor: 1 if readable (a pidfd: its process
     * has exited), 0 if not, or minus the errno.
     */
    static long pollReadable(int fd) {
        MemorySegment scratch = SCRATCH.get();
        scratch.set(JAVA_LONG, TIMESPEC_OFFSET, 0L); // a zero timeout: return at once
        scratch.set(JAVA_LONG, TIMESPEC_OFFSET + 8, 0L);
        scratch.set(JAVA_INT, POLLFD_OFFSET, fd); // struct pollfd { int fd; short events; short revents; }
        scratch.set(JAVA_SHORT, POLLFD_OFFSET + 4, POLLIN);
        scratch.set(JAVA_SHORT, POLLFD_OFFSET + 6, (short) 0);
        return call(scratch, SYS_PPOLL, scratch.asSlice(POLLFD_OFFSET, 8), 1L, scratch.address() + TIMESPEC_OFFSET,
                MemorySegment.NULL, 0L, 0L);
    }

    /** {@code close(fd)}: 0, or minus the errno. */
    static long close(int fd) {
        return call(SCRATCH.get(), SYS_CLOSE, MemorySegment.ofAddress(fd), 0L, 0L, MemorySegment.NULL, 0L, 0L);
    }

    /** {@code membarrier(command, 0, 0)}: what the kernel returned, or minus the errno. */
    static long membarrier(long command) {
        return call(SCRATCH.get(), SYS_MEMBARRIER, MemorySegment.ofAddress(command), 0L, 0L, MemorySegment.NULL, 0L, 0L);
    }

    private static long call(MemorySegment scratch, long nr, MemorySegment a1, long a2, long a3, MemorySegment a4,
            long a5, long a6) {
        try {
            long r = (long) SYSCALL.invokeExact(scratch, nr, a1, a2, a3, a4, a5, a6);
            return r != -1 ? r : -(int) ERRNO.get(scratch, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Makes each kind of call once (a futex wake nobody waits for, a wait that returns EAGAIN, pidfd_open,
     * ppoll and close on this process), so the first real call pays no linking or stub generation.
     */
    private static void warmUp() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(JAVA_INT);
            futexWake(word, 1);
            futexWait(word, 1, 1); // word is 0: EAGAIN at once
            long pidfd = pidfdOpen(ProcessHandle.current().pid());
            if (pidfd >= 0) {
                pollReadable((int) pidfd);
                close((int) pidfd);
            }
        }
    }

    /** Rethrows what a downcall threw: it declares {@code Throwable} but only fails with unchecked ones. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
