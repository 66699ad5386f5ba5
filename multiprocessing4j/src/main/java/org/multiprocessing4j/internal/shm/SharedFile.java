package org.multiprocessing4j.internal.shm;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A file in {@code /dev/shm} mapped read-write and shared into this JVM as one {@link MemorySegment}.
 *
 * <p>Lifecycle: {@link #create} makes a new file ({@code 0600}, {@code O_EXCL}, never following a
 * symbolic link) and maps it; {@link #attach} maps an existing one of the same user. {@link #close()}
 * unmaps (this JVM only); {@link #unlink()} removes the name, after which nobody can attach but every
 * existing mapping stays valid until closed: the memory is freed when the last mapping goes.
 *
 * <p>Mapping: {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} into a <em>shared</em>
 * {@link Arena}. Chosen over an {@code mmap} downcall because the JDK then owns the unmapping and its
 * safety: any thread may use the segment, an access after {@code close()} throws
 * {@link IllegalStateException} instead of touching unmapped memory (closing a shared arena hands over
 * every thread), and a native call that received the segment as an argument (a futex wait) keeps the
 * mapping alive until it returns, because the arena cannot close while a downcall holds it. An automatic
 * arena would leave the unmapping to the garbage collector, and a confined one to a single thread.
 * {@code create} writes the file full of zeros before mapping it so tmpfs allocates the pages now: a full
 * {@code /dev/shm} then fails here with an {@link IOException} instead of raising SIGBUS on a later store.
 *
 * <p>Thread-safe. {@code close()} and {@code unlink()} are idempotent. Cross-process visibility of what
 * is stored in the segment follows the <a href="package-summary.html#happens-before">package rule</a>.
 */
public final class SharedFile implements AutoCloseable {
    /** Files this large or larger are checked against their file system's free space before they are filled. */
    static final long CHECK_ROOM_FROM = 64L << 20;
    /** The scopes of the mappings a thread of this JVM is closing ({@link #isClosing}). */
    private static final Set<MemorySegment.Scope> CLOSING = ConcurrentHashMap.newKeySet();
    /** How long {@link #close()} waits for threads still blocked in a native call on the mapping. */
    static final long CLOSE_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Path path;
    private final Arena arena;
    /** Set after a fault in the mapping (the file was truncated): close() then tries once and never throws. */
    private volatile boolean damaged;
    private final MemorySegment segment;
    /** The file's inode number as seen when it was attached; 0 for a file this JVM created. */
    private final long inode;
    /** The file's status-change time (ctime) in ns as seen when it was attached; 0 for a file this JVM created. */
    private final long changedNanos;

    private SharedFile(Path path, Arena arena, MemorySegment segment, long inode, long changedNanos) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.inode = inode;
        this.changedNanos = changedNanos;
    }

    /** Creates and maps a new file of {@code size} bytes at a fresh {@link ShmNames#newPath() name}. */
    public static SharedFile create(long size) throws IOException {
        return create(ShmNames.newPath(), size);
    }

    /**
     * Creates and maps a new zero-filled file of {@code size} bytes at {@code path}, mode {@code 0600}.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code path} exists (a symbolic link included)
     * @throws IOException if the file cannot be created or filled (a full tmpfs; a size of 64 MiB or more
     *                     beyond the file system's free space fails at once); the file is then removed
     */
    public static SharedFile create(Path path, long size) throws IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size + " for " + path);
        }
        return withInterruptSetAside(() -> createNow(path, size));
    }

    private static SharedFile createNow(Path path, long size) throws IOException {
        if (size >= CHECK_ROOM_FROM) {
            // NOTE: a tmpfs takes the zeros page by page until it is full: a size beyond its room would fill the
            // machine's memory for tens of seconds before failing; small files skip the statvfs
            Path directory = path.toAbsolutePath().getParent();
            long room = Files.getFileStore(directory).getUsableSpace();
            if (size > room) {
                throw new IOException("no room for a shared file of " + size + " bytes in " + directory + ": " + room
                        + " bytes free there");
            }
        }
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        try (FileChannel channel = FileChannel.open(path, Set.of(CREATE_NEW, READ, WRITE, NOFOLLOW_LINKS), mode)) {
            try {
                fillWithZeros(channel, size);
                return map(path, channel, size, 0L, 0L);
            } catch (IOException | RuntimeException | Error e) {
                Files.deleteIfExists(path);
                throw e;
            }
        }
    }

    /**
     * Maps the whole of an existing file. The caller checks its header (a {@code ...Layout} class).
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws AccessDeniedException if the file belongs to another user
     * @throws IOException if it is empty or cannot be mapped
     */
    public static SharedFile attach(Path path) throws IOException {
        return withInterruptSetAside(() -> attachNow(path, false));
    }

    /**
     * As {@link #attach}, but an empty file maps as an empty segment instead of failing: for a file whose
     * creator may still be between making it and writing it (a named segment, which another process can
     * open by name at any moment), so the caller can tell "not finished yet" from "not a segment".
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws AccessDeniedException if the file belongs to another user
     * @throws IOException if it cannot be mapped
     */
    public static SharedFile attachUnfinished(Path path) throws IOException {
        return withInterruptSetAside(() -> attachNow(path, true));
    }

    private static SharedFile attachNow(Path path, boolean emptyAllowed) throws IOException {
        try (FileChannel channel = FileChannel.open(path, Set.of(READ, WRITE, NOFOLLOW_LINKS))) {
            // NOTE: read by name after the open, so a file put under the name in between may answer instead: the
            // inode and ctime only tell one attach attempt from the next (see sameFileAs)
            Map<String, Object> attributes = Files.readAttributes(path, "unix:uid,ino,ctime", NOFOLLOW_LINKS);
            Object owner = attributes.get("uid");
            if (!owner.equals(Users.SELF)) {
                throw new AccessDeniedException(path.toString(), null, "owned by uid " + owner + ", not " + Users.SELF);
            }
            long size = channel.size();
            if (size == 0 && !emptyAllowed) {
                throw new IOException(path + ": empty file, not a shared segment");
            }
            long changed = ((FileTime) attributes.get("ctime")).to(TimeUnit.NANOSECONDS);
            return map(path, channel, size, ((Number) attributes.get("ino")).longValue(), changed);
        }
    }

    /** A file operation that may throw {@link IOException}. */
    @FunctionalInterface
    private interface FileCall {
        SharedFile run() throws IOException;
    }

    /**
     * Runs {@code call} with this thread's interrupt status cleared, and sets it again after. A
     * {@link FileChannel} refuses to work for a thread whose status is set ({@code ClosedByInterruptException}),
     * so a pending interrupt made the first use of a pipe end, or a new queue or lock, fail with an
     * {@code IOException} naming the file; the status is meant for the caller's next wait, not for making
     * or mapping a file (microseconds). An interrupt that arrives during the call still fails it.
     */
    private static SharedFile withInterruptSetAside(FileCall call) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            return call.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static SharedFile map(Path path, FileChannel channel, long size, long inode, long changedNanos)
            throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new SharedFile(path, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), inode,
                    changedNanos);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static void fillWithZeros(FileChannel channel, long size) throws IOException {
        ByteBuffer zeros = Zeros.BUFFER.duplicate();
        long position = 0;
        while (position < size) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
            position += channel.write(zeros, position);
        }
    }

    /** The mapping: {@link #size()} bytes, page-aligned; unusable ({@link IllegalStateException}) after close. */
    public MemorySegment segment() {
        return segment;
    }

    /** Where the file is (or was, after {@link #unlink()}). */
    public Path path() {
        return path;
    }

    /** The mapping's length in bytes: the file's size when it was mapped. */
    public long size() {
        return segment.byteSize();
    }

    /**
     * True if {@code other} was attached to the same file as this one, unchanged in between: the same inode
     * number and the same status-change time (each read by name just after opening, so a file put under the
     * name in between may answer instead). The time matters where a file system hands a freed inode number
     * straight to the next file made; it also moves while a creator is still writing the file. Tells one
     * attempt to attach a name from the next; false for {@code null} and for files this JVM created.
     */
    public boolean sameFileAs(SharedFile other) {
        return other != null && inode != 0 && inode == other.inode && changedNanos == other.changedNanos;
    }

    /** True until {@link #close()} has unmapped the file. */
    public boolean isMapped() {
        return arena.scope().isAlive();
    }

    /**
     * Removes the file's name; the mapping stays usable. Idempotent.
     *
     * @return true if this call removed it
     */
    public boolean unlink() throws IOException {
        return Files.deleteIfExists(path);
    }

    /**
     * Unmaps the file from this JVM. Idempotent; never blocks on the other processes. Callers first wake
     * their own threads blocked in a native call on the mapping (a futex wait): the arena cannot close while
     * one is inside, so this retries for up to {@value #CLOSE_BUDGET_NANOS} ns. An interrupt does not cut
     * that short; the interrupt status is kept.
     *
     * @throws IllegalStateException if a thread still holds the mapping in a native call after that budget;
     *         the mapping then stays until a later {@code close()} succeeds
     */
    @Override
    public synchronized void close() {
        MemorySegment.Scope scope = arena.scope();
        CLOSING.add(scope);
        try {
            closeArena();
        } finally {
            CLOSING.remove(scope);
        }
    }

    /**
     * True while a thread of this JVM is inside {@link #close()} of the mapping {@code segment} belongs to: a
     * futex wait on it then refuses to sleep ({@link org.multiprocessing4j.internal.futex.Futex#await}), so that
     * waiters whose words the closer cannot know (a lock's, an event's) leave within one slice instead of
     * holding the mapping for ever.
     */
    public static boolean isClosing(MemorySegment segment) {
        return !CLOSING.isEmpty() && CLOSING.contains(segment.scope());
    }

    private void closeArena() {
        long deadline = System.nanoTime() + (damaged ? 0 : CLOSE_BUDGET_NANOS);
        while (arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException busy) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    if (damaged) {
                        return; // a fault left the mapping acquired: it goes with this JVM
                    }
                    throw new IllegalStateException("cannot unmap " + path + ": a thread is still blocked on it", busy);
                }
                boolean interrupted = Thread.interrupted(); // parkNanos would not pause with the flag set
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Records that an access to the mapping faulted (HotSpot's {@link InternalError} for a SIGBUS: the file
     * was truncated under it). A fault can leave the arena acquired, so {@link #close()} then tries once and
     * leaves the mapping to the JVM's exit instead of waiting or throwing.
     */
    public void markDamaged() {
        damaged = true;
    }

    @Override
    public String toString() {
        return "SharedFile[" + path + ", " + segment.byteSize() + " bytes" + (isMapped() ? "" : ", closed") + "]";
    }

    /** This JVM's uid, read once from the owner of {@code /proc/self}. */
    private static final class Users {
        static final Object SELF = selfUid();

        private static Object selfUid() {
            try {
                return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            } catch (IOException | UnsupportedOperationException e) {
                throw new IllegalStateException("cannot read this process's uid from /proc/self", e);
            }
        }
    }

    /**
     * The zeros {@link #fillWithZeros} writes, made once per JVM and only in one that creates files (a JVM that
     * only attaches, such as a pool worker, never loads this class); never written to, each write uses a
     * duplicate. A direct buffer allocated per file cost more than the write itself, its fresh pages faulting
     * in one by one (about 3 ms of the 12 ms a 1 MiB pipe took to open, measured with perf).
     */
    private static final class Zeros {
        static final ByteBuffer BUFFER = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
    }
}
