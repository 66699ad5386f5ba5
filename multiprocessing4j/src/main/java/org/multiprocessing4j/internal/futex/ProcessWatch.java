package org.multiprocessing4j.internal.futex;

import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * Whether one process, named by its {@link ProcessStamp}, is still alive: a pidfd opened once, then a
 * zero-timeout {@code poll} per question (about 0.5 µs; {@code ProcessHandle.isAlive()} costs ~23 µs and
 * calls a zombie alive). The pidfd is opened first and the start time checked after, so a pid reused by
 * an unrelated process is never mistaken for the one recorded. Where pidfds do not exist (Linux before
 * 5.3) it falls back to {@link ProcessHandle}, which reports a zombie as alive until its parent reaps it.
 *
 * <p>Thread-safe. Once {@link #isAlive()} returns false it never returns true again. {@link #close()}
 * releases the file descriptor; afterwards {@code isAlive()} throws {@link IllegalStateException}.
 */
public final class ProcessWatch implements AutoCloseable {
    private static final int CLOSED = -2;
    private static final int NO_PIDFD = -1;

    private final ProcessStamp stamp;
    private int pidfd;
    private boolean dead;

    private ProcessWatch(ProcessStamp stamp, int pidfd, boolean dead) {
        this.stamp = stamp;
        this.pidfd = pidfd;
        this.dead = dead;
    }

    /** Starts watching {@code stamp}; a process that is already gone gives a watch that says dead. */
    public static ProcessWatch open(ProcessStamp stamp) {
        long fd = pidfdOpen(stamp.pid());
        boolean dead = fd == -Syscalls.ESRCH;
        if (!dead && !ProcessHandle.of(stamp.pid()).map(stamp::matches).orElse(false)) {
            dead = true; // the pid now names another process (or it ended between the two calls)
        }
        if (dead && fd >= 0) {
            close((int) fd);
        }
        return new ProcessWatch(stamp, fd >= 0 && !dead ? (int) fd : NO_PIDFD, dead);
    }

    /** The process this watch is about. */
    public ProcessStamp stamp() {
        return stamp;
    }

    /**
     * True while the process runs; false from the moment it has exited (zombie included) or was never
     * the recorded one. Never blocks.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized boolean isAlive() {
        if (pidfd == CLOSED) {
            throw new IllegalStateException("watch of " + stamp + " is closed");
        }
        if (!dead) {
            dead = pidfd >= 0 ? exited(pidfd) : !ProcessHandle.of(stamp.pid()).map(h -> h.isAlive() && stamp.matches(h)).orElse(false);
        }
        return !dead;
    }

    @Override
    public synchronized void close() {
        if (pidfd >= 0) {
            close(pidfd);
        }
        pidfd = CLOSED;
    }

    @Override
    public String toString() {
        return "ProcessWatch[" + stamp + (pidfd >= 0 ? ", pidfd " + pidfd : "") + "]";
    }

    /** The new pidfd, or minus the errno ({@code -ESRCH}: no such process; {@code -ENOSYS}: no pidfds). */
    private static long pidfdOpen(long pid) {
        return Syscalls.pidfdOpen(pid);
    }

    /** A pidfd polls readable once its process has exited. */
    private static boolean exited(int pidfd) {
        for (;;) {
            long r = Syscalls.pollReadable(pidfd);
            if (r >= 0) {
                return r > 0;
            }
            if (r != -Syscalls.EINTR && r != -Syscalls.EAGAIN) {
                throw new IllegalStateException("poll on pidfd " + pidfd + " failed with errno " + -r);
            }
        }
    }

    private static void close(int fd) {
        Syscalls.close(fd);
    }
}
