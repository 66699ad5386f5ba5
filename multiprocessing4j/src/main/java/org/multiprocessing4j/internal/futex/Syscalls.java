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
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The native entry points of this package, linked once: {@code syscall(2)} shaped for {@code futex}, for
 * {@code pidfd_open} and for {@code membarrier}, {@code poll(2)} and {@code close(2)}, with {@code errno}
 * captured where a failure must be told apart. Linux on x86-64 or AArch64 only: anything else fails at class init with
 * {@link UnsupportedOperationException}.
 *
 * <p>{@code syscall} is variadic and reads six {@code long}s from its variadic part, so every argument
 * after the number is passed as a {@code long} or a pointer (never a narrower int with undefined upper
 * bits); the kernel then narrows each to its declared type.
 */
@SuppressWarnings("restricted") // linking native code is this class's job; JVMs run with --enable-native-access
final class Syscalls {
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ESRCH = 3;
    static final int ENOSYS = 38;
    static final int ETIMEDOUT = 110;

    /** {@code SYS_futex}: 202 on x86-64, 98 on AArch64. */
    static final long SYS_FUTEX;
    /** {@code SYS_pidfd_open}: 434 on every architecture (Linux 5.3+). */
    static final long SYS_PIDFD_OPEN = 434;
    /** {@code SYS_membarrier}: 324 on x86-64, 283 on AArch64 (Linux 4.3+; the expedited global command 4.16+). */
    static final long SYS_MEMBARRIER;

    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code long syscall(SYS_futex, int *uaddr, op, val, timespec *timeout, uaddr2, val3)}, errno captured. */
    static final MethodHandle FUTEX;
    /** The same without errno capture: the allocation-free path for {@code FUTEX_WAKE}. */
    static final MethodHandle FUTEX_NO_ERRNO;
    /** {@code long syscall(nr, long a, long b)}, errno captured: {@code pidfd_open(pid, flags)}. */
    static final MethodHandle SYSCALL2;
    /** The same without errno capture: {@code membarrier(cmd, flags)}, where only success matters. */
    static final MethodHandle SYSCALL2_NO_ERRNO;
    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeoutMillis)}, errno captured. */
    static final MethodHandle POLL;
    /** {@code int close(int fd)}. */
    static final MethodHandle CLOSE;

    static {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new UnsupportedOperationException("futex and pidfd need Linux, not " + os);
        }
        SYS_FUTEX = switch (arch) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64" -> 98;
            default -> throw new UnsupportedOperationException("no SYS_futex number for architecture " + arch);
        };
        SYS_MEMBARRIER = SYS_FUTEX == 202 ? 324 : 283;
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        Linker.Option variadic = Linker.Option.firstVariadicArg(1);
        FunctionDescriptor futex = FunctionDescriptor.of(JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
        FUTEX = linker.downcallHandle(libc.findOrThrow("syscall"), futex, variadic, errno);
        FUTEX_NO_ERRNO = linker.downcallHandle(libc.findOrThrow("syscall"), futex, variadic);
        SYSCALL2 = linker.downcallHandle(libc.findOrThrow("syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), variadic, errno);
        SYSCALL2_NO_ERRNO = linker.downcallHandle(libc.findOrThrow("syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), variadic);
        POLL = linker.downcallHandle(libc.findOrThrow("poll"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), errno);
        CLOSE = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        warmUp();
    }

    private Syscalls() {
    }

    /**
     * Calls every handle once (a futex wake nobody waits for, a wait that returns EAGAIN, pidfd_open, poll
     * and close on this process), so the first real call pays no linking or stub generation.
     */
    private static void warmUp() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(JAVA_INT);
            MemorySegment captured = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(JAVA_LONG, 8, 1);
            long r = (long) FUTEX_NO_ERRNO.invokeExact(SYS_FUTEX, word, 1L, 1L, MemorySegment.NULL, 0L, 0L);
            r = (long) FUTEX.invokeExact(captured, SYS_FUTEX, word, 0L, 1L, timespec, 0L, 0L); // word is 0: EAGAIN
            long pidfd = (long) SYSCALL2.invokeExact(captured, SYS_PIDFD_OPEN, ProcessHandle.current().pid(), 0L);
            if (pidfd >= 0) {
                MemorySegment pollfd = arena.allocate(8, 4);
                pollfd.set(JAVA_INT, 0, (int) pidfd);
                pollfd.set(JAVA_SHORT, 4, (short) 1);
                int polled = (int) POLL.invokeExact(captured, pollfd, 1L, 0);
                int closed = (int) CLOSE.invokeExact((int) pidfd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }

    /** Rethrows what a downcall threw: it declares {@code Throwable} but only fails with unchecked ones. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
