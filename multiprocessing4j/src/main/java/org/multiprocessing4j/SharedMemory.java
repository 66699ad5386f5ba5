package org.multiprocessing4j;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import java.util.function.Consumer;
import org.multiprocessing4j.internal.sharedmem.DecodedHandles;
import org.multiprocessing4j.internal.sharedmem.NamedSegment;
import org.multiprocessing4j.internal.sharedmem.SegmentNames;
import org.multiprocessing4j.internal.sharedmem.SegmentRemoval;

/**
 * A block of memory shared by name between processes: Python's
 * {@code multiprocessing.shared_memory.SharedMemory}. {@link #segment()} is the memory, a
 * {@link MemorySegment} of {@link #size()} bytes, page-aligned and zero-filled at creation.
 *
 * <table class="striped">
 * <caption>Python → Java</caption>
 * <tr><td>{@code SharedMemory(create=True, size=n)}</td><td>{@link #create(long)} (a generated name,
 *     {@code psm_} and 16 hex digits)</td></tr>
 * <tr><td>{@code SharedMemory(name, create=True, size=n)}</td><td>{@link #create(String, long)}</td></tr>
 * <tr><td>{@code SharedMemory(name)}</td><td>{@link #attach(String)}</td></tr>
 * <tr><td>{@code buf}, {@code name}, {@code size}</td><td>{@link #segment()}, {@link #name()}, {@link #size()}</td></tr>
 * <tr><td>{@code close()}, {@code unlink()}</td><td>{@link #close()}, {@link #unlink()}</td></tr>
 * </table>
 *
 * <p>Names are global for the user, as in CPython: any process of the same user, in this process tree or
 * not, may {@link #attach(String)} by name. A name is 1 to 200 characters from letters, digits, {@code _},
 * {@code .}, {@code -} (not starting with a dot); its file is {@code /dev/shm/mp4j-shm-<name>} (mode 0600),
 * so it does not meet CPython's segments of the same name.
 *
 * <p><b>Lifetime.</b> Each {@code SharedMemory} object is one attachment; the segment counts the
 * attachments of every process. The segment's name is removed
 * <ol>
 * <li>when any process calls {@link #unlink()} (as CPython: mappings that exist stay valid until closed,
 *     nobody can attach afterwards), or
 * <li>automatically once <em>both</em> the process tree that created it has ended <em>and</em> no live
 *     process has it open. Checked when a process closes its last attachment to it or exits normally,
 *     when the creating tree's root exits normally, and, for processes killed by SIGKILL, by a sweep in the
 *     next JVM that uses shared memory.
 * </ol>
 * So, unlike CPython's resource tracker (which unlinks a segment when the process that created it exits,
 * even while others still use it), a segment is never removed under a live process that has it open,
 * and it survives {@code close()} everywhere while its creator's tree runs, so that a process may attach
 * later. The tree of a process is the library's process tree: the root JVM and every child it started.
 *
 * <p><b>Handle.</b> A {@code SharedMemory} is serializable: a child that captures one attaches to the same
 * segment on its first {@link #segment()} (decoding has no side effects); that copy is an attachment of
 * the child, closed by {@link #close()} or when the child exits. A copy whose segment was unlinked, or
 * replaced by another of the same name, throws {@link IllegalStateException} on first use. Decoding the
 * same handle again in a JVM gives the same instance while it is open: every pool task that captures a
 * segment uses one decoded copy, and one attachment (one mapping), in its worker; closing that copy
 * closes it for all of them, and the next decode gives a new copy, which attaches afresh. Objects made
 * by {@link #create} and {@link #attach(String)} are never shared so: a decode in the creating process
 * gives a copy of its own, and each {@code attach} is an attachment of its own.
 *
 * <p><b>Memory.</b> Stores through {@link #segment()} follow the Java memory model for the access mode
 * used: plain accesses are not ordered across processes; use a {@link java.lang.invoke.VarHandle} with
 * release/acquire or volatile modes on aligned words (see {@code ValueLayout.varHandle()}), or a lock.
 * After {@link #close()} the segment throws {@link IllegalStateException} on access, never touching unmapped
 * memory.
 *
 * <p>Thread-safe.
 */
/*
 * Implementation notes
 *
 * Canonical decoded copies. A decoded copy maps the segment on first use and keeps the mapping until it is
 * closed (a shared arena is never unmapped by the garbage collector, and OpenSegments holds every open
 * attachment until exit), so one copy per decode would pile up mappings in a long-lived pool worker, up to
 * the kernel's limit of about 65,530 per process. readResolve therefore looks the copy up in DECODED,
 * keyed by name and incarnation (a segment created later under the same name is another key), and returns
 * the open copy there if any. close() sets closed under the monitor, then leaves DECODED, so a decode
 * after a close attaches afresh; a decode racing the close may still return the closing copy, which is
 * then ordered before the close.
 */
public final class SharedMemory implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** This JVM's open decoded copies, one per segment incarnation. */
    private static final DecodedHandles<Identity, SharedMemory> DECODED = new DecodedHandles<>(shm -> !shm.closed);

    /** The block's name. */
    private final String name;
    /** The usable size in bytes. */
    private final long size;
    /** Tells this block apart from a later one of the same name. */
    private final long incarnation;
    private transient volatile NamedSegment attached;
    private transient volatile boolean closed;
    /** The list that first adopted this decoded copy; guarded by this. */
    private transient ShareableList list;

    /** What tells one segment from every other in this JVM: its name, and which file of that name. */
    private record Identity(String name, long incarnation) {
    }

    private SharedMemory(NamedSegment segment) {
        this.name = segment.name();
        this.size = segment.size();
        this.incarnation = segment.incarnation();
        this.attached = segment;
    }

    /**
     * Creates a new segment of {@code size} zero bytes under a generated name.
     *
     * @param size the size in bytes
     * @return the new segment
     * @throws IllegalArgumentException if {@code size} is zero, negative, or over 2^46
     * @throws IOException if it cannot be created (e.g. {@code /dev/shm} is full)
     */
    public static SharedMemory create(long size) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return create(SegmentNames.generatedName(), size);
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 3) {
                    throw taken;
                }
            }
        }
    }

    /**
     * Creates a new segment {@code name} of {@code size} zero bytes.
     *
     * @param name the segment's name
     * @param size the size in bytes
     * @return the new segment
     * @throws java.nio.file.FileAlreadyExistsException if a segment of that name exists (CPython's
     *         {@code FileExistsError})
     * @throws IllegalArgumentException if {@code size} is zero, negative, or over 2^46, or the name is not
     *         valid (see the class doc)
     * @throws IOException if it cannot be created (e.g. {@code /dev/shm} is full)
     */
    public static SharedMemory create(String name, long size) throws IOException {
        return new SharedMemory(NamedSegment.create(Objects.requireNonNull(name, "name"), size));
    }

    /**
     * As {@link #create(String, long)}, with {@code fill} writing the zero bytes before any other process can
     * attach (an attacher meanwhile waits): how a {@link ShareableList} is never seen half made.
     */
    static SharedMemory create(String name, long size, Consumer<MemorySegment> fill) throws IOException {
        return new SharedMemory(NamedSegment.create(Objects.requireNonNull(name, "name"), size, fill));
    }

    /**
     * Attaches to the existing segment {@code name}, made by any process of this user.
     *
     * @param name the segment's name
     * @return the segment, attached
     * @throws NoSuchFileException if there is no segment of that name (CPython's {@code FileNotFoundError})
     * @throws IOException if the file there is not a segment of this library's layout version (the message
     *         names the version found and the one expected), belongs to another user
     *         ({@link java.nio.file.AccessDeniedException}), or cannot be mapped
     * @throws IllegalArgumentException if the name is not valid
     */
    public static SharedMemory attach(String name) throws IOException {
        return new SharedMemory(NamedSegment.attach(Objects.requireNonNull(name, "name")));
    }

    /**
     * The shared bytes: {@link #size()} of them, page-aligned. In a decoded copy the first call attaches.
     *
     * @return the shared bytes: {@link #size()} of them, page-aligned
     * @throws IllegalStateException if this object is closed, or (decoded copy) the segment is gone or was
     *         replaced by another of the same name
     * @throws UncheckedIOException if attaching fails otherwise
     */
    public MemorySegment segment() {
        return attachment().data();
    }

    /** {@return the segment's name; pass it to {@link #attach(String)} in another process} */
    public String name() {
        return name;
    }

    /** {@return the segment's size in bytes, as given to {@code create}} */
    public long size() {
        return size;
    }

    /**
     * Ends this object's attachment (Python's {@code close}): unmaps the memory from this object; the
     * segment itself lives on by the lifetime rule in the class doc. Idempotent; {@link #segment()} views
     * taken earlier throw {@link IllegalStateException} on access afterwards. On a decoded copy this closes
     * it for every holder in this JVM (decoding the handle again gives that same copy while it is open;
     * see the class doc); the next decode gives a new copy.
     */
    @Override
    public void close() {
        NamedSegment segment;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            segment = attached;
        }
        DECODED.forget(new Identity(name, incarnation), this);
        if (segment != null) {
            segment.close();
        }
    }

    /**
     * Removes the segment's name (Python's {@code unlink}): nobody can attach afterwards; every process
     * that has it mapped keeps using it until it closes it, and the memory is freed when the last one has.
     * Idempotent, and allowed after {@link #close()}; does nothing if the name is gone or now names
     * another segment.
     *
     * @throws UncheckedIOException if the name exists but cannot be removed
     */
    public void unlink() {
        try {
            NamedSegment segment = attached;
            if (segment != null) {
                segment.unlink();
            } else {
                SegmentRemoval.unlink(name, incarnation);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlink shared memory \"" + name + "\": " + e.getMessage(), e);
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same segment, if there is one (see the class doc).
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return DECODED.resolve(new Identity(name, incarnation), this);
    }

    /**
     * The list that first adopted this decoded copy, or {@code candidate}, which does so now: a
     * {@link ShareableList} decoded around this segment resolves to it.
     */
    synchronized ShareableList adopt(ShareableList candidate) {
        if (list == null) {
            list = candidate;
        }
        return list;
    }

    /** True once {@link #close()} has run (for {@link ShareableList#toString()}). */
    boolean isClosed() {
        return closed;
    }

    private NamedSegment attachment() {
        NamedSegment segment = attached;
        if (segment != null && !closed) {
            return segment;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            if (attached == null) {
                attached = attachCopy();
            }
            return attached;
        }
    }

    private NamedSegment attachCopy() {
        NamedSegment segment;
        try {
            segment = NamedSegment.attach(name);
        } catch (NoSuchFileException gone) {
            throw new IllegalStateException("shared memory \"" + name + "\" cannot be used in pid "
                    + ProcessHandle.current().pid() + ": it was unlinked", gone);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot attach shared memory \"" + name + "\": " + e.getMessage(), e);
        }
        if (segment.incarnation() != incarnation) {
            segment.close();
            throw new IllegalStateException("shared memory \"" + name + "\" cannot be used in pid "
                    + ProcessHandle.current().pid() + ": it was unlinked and the name now holds another segment");
        }
        return segment;
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name + ", " + size + " bytes" + (closed ? ", closed]" : "]");
    }
}
