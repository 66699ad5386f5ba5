package org.multiprocessing4j;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.queue.QueueFeeder;
import org.multiprocessing4j.internal.queue.SharedQueue;
import org.multiprocessing4j.internal.sharedmem.DecodedHandles;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * A FIFO queue shared by threads and processes: Python's {@code multiprocessing.Queue}. Any number of
 * processes may put and get at once; items are serialized with the default context's codec.
 *
 * <table class="striped">
 * <caption>Blocking</caption>
 * <tr><th></th><th>throws</th><th>special value</th><th>blocks</th><th>times out</th></tr>
 * <tr><td>insert</td><td>{@link #putNowait}</td><td>{@code asBlockingQueue().offer(e)}</td>
 *     <td>{@link #put(Object)}</td><td>{@link #put(Object, Duration)}</td></tr>
 * <tr><td>remove</td><td>{@link #getNowait}</td><td>{@code asBlockingQueue().poll()}</td>
 *     <td>{@link #get()}</td><td>{@link #get(Duration)}</td></tr>
 * </table>
 * Timed forms throw {@link QueueFullException} / {@link QueueEmptyException} when the timeout passes;
 * a zero or negative timeout tries once. Blocking forms throw {@link InterruptedException} if the thread
 * is interrupted while waiting (nothing was put or taken); a blocked thread uses no CPU between
 * futex slices (at most ten wake-ups a second).
 *
 * <p>Put: {@code put} serializes the item in the caller's thread and copies it into shared memory before
 * it returns, with no feeder thread in between as long as there is room. So an item that cannot be
 * serialized fails in {@code put} with {@link IllegalArgumentException} naming the class, and an item put
 * right before a process exits, even by SIGKILL, is not lost.
 *
 * <p>Capacity: {@code maxsize} counts items (0: no item limit); the shared memory holds
 * {@value #CAPACITY_BYTES} bytes of encoded items (plus 8 bytes each). A {@code put} waits only for
 * {@code maxsize}, never for those bytes, as in Python: when they are full, the encoded item waits in this
 * process, and a feeder thread (CPython's) moves such items into the shared memory, in order, as room
 * appears (it never makes another process's put wait); later puts of this process queue behind them.
 * Such items hold their place under {@code maxsize} ({@link #qsize()} and {@link #full()} count them).
 * {@link #joinThread()} waits for that (after {@link #close()}),
 * the JVM's normal exit waits for it too unless {@link #cancelJoinThread()} was called, and a process killed
 * meanwhile loses those items: CPython's rules (but unlike CPython's, such lost items give their places
 * under {@code maxsize} back, and a {@code JoinableQueue}'s {@code join()} stops waiting for them, as soon
 * as another process looks). A child waiting so at exit still ends when its parent dies
 * or it is terminated (its items are then lost). A {@link JoinableQueue} buffers the same way, and its
 * {@code join()} waits for such items too. A {@link SimpleQueue} (as CPython's, which writes its pipe
 * directly) has no feeder: its {@code put} waits for room in the bytes. An item larger than the whole shared memory travels in a {@code /dev/shm} file of
 * its own, written by {@code put} and removed by the {@code get} that takes it (so, as in CPython, there
 * is no item size limit; such an item costs a file write and read more); for a {@link SimpleQueue}, so does
 * an item larger than half of it, so that its {@code put} never waits while the queue holds no item.
 *
 * <p>Processes: a {@code Queue} is a serializable handle. A child that captures one attaches to the same
 * shared memory on first use; decoding has no side effects. A process killed while inside {@code put} or
 * {@code get} (SIGKILL included) neither loses nor tears another process's item, nor blocks the others:
 * its lock is taken over within a futex slice. Memory visibility: everything a thread did before its
 * {@code put} happens-before what the thread whose {@code get} returns that item does next.
 *
 * <p>Decoding the same handle again in a JVM gives the same instance while it is open: every pool task
 * that captures a queue (say, to put its result on) uses one decoded copy in its worker, with one mapping
 * of the file and one feeder, so the items the worker's tasks put while the shared memory is full keep
 * their order. That copy's per-process state is shared by those tasks: {@link #close()} closes it for
 * every holder in the JVM (the next decode gives a new copy, which attaches afresh), and
 * {@link #cancelJoinThread()} and {@link #joinThread()} apply to the items any of them put through it.
 * The creating process's own object is never handed out so (a decode there gives a copy of its own).
 *
 * <p>Close and lifetime: {@link #close()} ends this process's use of the queue; threads of this process
 * blocked in it throw {@link IllegalStateException}, as do later {@code put}/{@code get}. When the
 * creating process closes the queue its shared file is removed, once every child process it has at that
 * moment has ended (a child started before the close may use its copy first after it, as in Python):
 * processes already attached keep working, a copy first used after the removal throws
 * {@link IllegalStateException}. Files of queues never closed are
 * removed when the root process of the tree exits (or by the next start's sweep after a SIGKILL).
 * {@link #qsize()}, {@link #empty()} and {@link #full()} are approximate, as in Python.
 *
 * <p>Thread-safe.
 *
 * @param <T> the type of the items
 */
/*
 * Implementation notes
 *
 * Canonical decoded copies. A decoded copy attaches the file on first use (and its feeder attaches it
 * again, for itself) and keeps those mappings until it is closed: a shared arena is never unmapped by the
 * garbage collector, and an unclosed feeder stays in QueueFeeder's exit set. With one copy per decode, a
 * pool worker that ran N tasks capturing one queue held N mappings of it, up to the kernel's limit of about
 * 65,530 per process (and up to N feeders). So readResolve looks the copy up in DECODED, keyed by the
 * file's path (128 random bits, never reused: the file is made with O_EXCL) with the class, limits and
 * serializer the handle claims, and returns the open copy there if any. The per-process state this object
 * holds (the feeder, cancelJoinThread's flag, closed) is meant per process, as CPython's; sharing it
 * among the tasks of a worker keeps the order of that process's buffered items. close() sets closed under
 * the monitor, then leaves DECODED; a decode that ran before may still return the closing copy (ordered
 * before the close), one after never does. A subclass outside this package does not inherit readResolve
 * (package-private) and keeps one copy per decode.
 */
public class Queue<T> implements Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Bytes of shared memory for encoded items of one queue: 1 MiB. */
    public static final int CAPACITY_BYTES = SharedQueue.DEFAULT_CAPACITY;
    /** "Forever" as a relative wait: 2^62 ns, about 146 years, so deadline arithmetic cannot overflow. */
    private static final long FOREVER_NANOS = 1L << 62;
    /** This JVM's open decoded copies, one per queue file. */
    private static final DecodedHandles<Identity, Queue<?>> DECODED = new DecodedHandles<>(q -> !q.closed);

    /** The shared-memory file of the queue. */
    private final String path;
    /** The most items the queue holds; 0 for no limit. */
    private final long maxsize;
    /** The serializer class of the context that made this queue, or null for the default context's. */
    private final String serializer;
    /** True in the object that created the file (never in a decoded copy). */
    private final transient boolean creator;
    /** Whether a put that finds the shared memory full buffers the item here (Queue, JoinableQueue; not SimpleQueue). */
    private final boolean buffersWhenFull;
    /** This process's buffered items and their feeder thread; made at the first put that needs it. */
    private transient volatile QueueFeeder feeder;
    /** {@link #cancelJoinThread()} was called in this process. */
    private transient volatile boolean joinCancelled;
    /** The name messages use instead of the class's, or null ({@link #showAs}); travels with the handle. */
    private String shownAs;
    /** The pid of the manager process that made this queue, or 0; travels with the handle ({@link #ownedBy}). */
    private long ownerPid;
    /** That manager process's start time in epoch milliseconds (with its pid, it names the process). */
    private long ownerStartMillis;
    private transient volatile SharedQueue shared;
    private transient volatile boolean closed;
    private transient String itemDescription;
    private transient ObjectCodec codec;
    /** The {@link SimpleQueue} that first adopted this decoded copy; guarded by this. */
    private transient Object wrapper;

    /** What tells one queue from every other: its file's path (random, never reused) and its shape. */
    private record Identity(String path, Class<?> type, long maxsize, String serializer, boolean buffersWhenFull) {
    }

    /** A queue without an item limit. */
    public Queue() {
        this(0);
    }

    /**
     * A queue of at most {@code maxsize} items; 0 (or negative, as in Python) for no limit.
     *
     * @param maxsize the most items the queue holds; zero or negative: unbounded
     * @throws ProcessError if the shared memory cannot be created
     */
    public Queue(int maxsize) {
        this(maxsize, CAPACITY_BYTES, null);
    }

    Queue(int maxsize, int capacityBytes) {
        this(maxsize, capacityBytes, null);
    }

    /** A queue whose items travel with the named serializer (a context's), or the default one for null. */
    Queue(int maxsize, int capacityBytes, String serializer) {
        this(maxsize, capacityBytes, serializer, true);
    }

    /**
     * As above; {@code buffersWhenFull} false makes a put on a full shared memory wait (SimpleQueue)
     * instead of buffering the item in this process.
     */
    Queue(int maxsize, int capacityBytes, String serializer, boolean buffersWhenFull) {
        this.serializer = serializer;
        this.maxsize = Math.max(0, maxsize);
        this.buffersWhenFull = buffersWhenFull;
        try {
            this.shared = SharedQueue.create(this.maxsize, capacityBytes);
        } catch (IOException e) {
            throw new ProcessError("cannot create the shared memory of a queue: " + e.getMessage(), e);
        }
        this.path = shared.path().toString();
        this.creator = true;
        // NOTE: looked up now, not on the first put: see codec()
        this.codec = DefaultCodec.of(serializer);
        this.itemDescription = describeItems();
    }

    /** For {@link RemoteQueue}: a queue with no shared memory of its own, all of whose methods are overridden. */
    Queue(RemoteQueue.Marker remote) {
        this.serializer = null;
        this.maxsize = 0;
        this.path = null;
        this.creator = false;
        this.buffersWhenFull = false;
        this.closed = true;
    }

    /**
     * A handle of the same queue as {@code handle} that is not this JVM's shared decoded copy (every decode
     * gives that one): a second process's handle, for tests that model two processes in one JVM. A plain
     * {@code Queue}, never the creator's; it maps the file on first use and is closed on its own.
     */
    static <T> Queue<T> separateHandle(Queue<T> handle) {
        return new Queue<>(handle);
    }

    private Queue(Queue<T> handle) {
        this.path = Objects.requireNonNull(handle.path, "a cluster's queue has no file");
        this.maxsize = handle.maxsize;
        this.serializer = handle.serializer;
        this.creator = false;
        this.buffersWhenFull = handle.buffersWhenFull;
        this.shownAs = handle.shownAs;
        this.ownerPid = handle.ownerPid;
        this.ownerStartMillis = handle.ownerStartMillis;
    }

    /**
     * Puts {@code item} at the tail, waiting as long as it takes for room.
     *
     * @param item the item to put
     * @throws IllegalArgumentException if the item cannot be serialized (naming the class)
     * @throws InterruptedException if interrupted while waiting; nothing was put
     * @throws IllegalStateException if this queue is closed in this process
     */
    public void put(T item) throws InterruptedException {
        put(item, FOREVER_NANOS, null);
    }

    /**
     * Puts {@code item} at the tail, waiting at most {@code timeout} for room.
     *
     * @param item the item to put
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @throws QueueFullException if there was no room within the timeout; nothing was put
     * @throws IllegalArgumentException if the item cannot be serialized (naming the class)
     * @throws InterruptedException if interrupted while waiting; nothing was put
     * @throws IllegalStateException if this queue is closed in this process
     */
    public void put(T item, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        put(item, Timeouts.nanos(timeout), timeout);
    }

    /**
     * Puts {@code item} if there is room now (Python's {@code put_nowait}); never blocks beyond a few
     * microseconds, and leaves the interrupt status alone.
     *
     * @param item the item to put
     * @throws QueueFullException if the queue holds {@code maxsize} items; for an unbounded queue only when its
     *         shared memory is full and this process cannot buffer the item (its creator closed the queue)
     * @throws IllegalArgumentException if the item cannot be serialized (naming the class)
     * @throws IllegalStateException if this queue is closed in this process
     */
    public void putNowait(T item) {
        boolean interrupted = Thread.interrupted();
        try {
            put(item, 0, Duration.ZERO);
        } catch (InterruptedException cannotHappen) {
            interrupted = true;
            throw new QueueFullException(this + " was not put to: interrupted");
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(T item, long timeoutNanos, Duration timeout) throws InterruptedException {
        SharedQueue q = shared();
        byte[] encoded = codec().encode(item, itemDescription());
        QueueSpill spill = null;
        // NOTE: a put that waits for room (SimpleQueue) spills items over half the ring too: such an item may
        // not fit an empty ring until a get skips the PAD the put wrapped over (SharedQueue, "Known cost"), and
        // a put followed by the get in the same thread, or a parent that joins its producer before getting,
        // then waited for ever. A buffering put never waits for room: its feeder takes such an item.
        int limit = buffersWhenFull ? q.maxMessageBytes() : q.maxMessageBytesWithoutWait();
        if (encoded.length > limit) {
            // NOTE: too large for the ring: the bytes go to a file of their own, and a small frame in their place.
            spill = QueueSpill.write(encoded);
            encoded = spill.frame();
        }
        if (buffersWhenFull) {
            putOrBuffer(q, encoded, spill, timeoutNanos, timeout);
            return;
        }
        boolean put = false;
        try {
            put = q.put(encoded, timeoutNanos);
        } catch (InternalError fault) {
            throw damaged(fault);
        } finally {
            if (!put && spill != null) {
                spill.discard();
            }
        }
        if (!put) {
            throw new QueueFullException(this + " is full (maxsize " + maxsize + ", " + CAPACITY_BYTES
                    + " bytes): no room within " + timeout);
        }
    }

    /**
     * The put of a Queue or JoinableQueue (CPython's, whose feeder thread writes the pipe): waits only for
     * {@code maxsize} (counting the items producers hold), never for room in the shared memory. The item goes
     * into shared memory if there is room now, else into this process's feeder; behind the feeder's items if
     * it has any, so that this process's items keep their order.
     *
     * @param timeoutNanos how long to wait for {@code maxsize} at most, or, when no feeder can be made, for room
     *        (the producer lock, held for microseconds at a time, is waited for as long as it takes)
     */
    private void putOrBuffer(SharedQueue q, byte[] encoded, QueueSpill spill, long timeoutNanos, Duration timeout)
            throws InterruptedException {
        boolean done = false;
        try {
            QueueFeeder f = feeder;
            boolean behind = f != null && f.count() > 0;
            if (maxsize == 0) {
                // NOTE: without maxsize no place needs reserving under the producer lock: queue behind at once,
                // or try the shared memory (the common case, kept this small for the JIT), else count it here
                if (!(behind && f.addIfPending(encoded)) && !q.putIfRoom(encoded)) {
                    // NOTE: the timeout matters only when no feeder can be made (buffer): a putNowait then gives up
                    q.reserve(encoded, item -> buffer(q, item, timeoutNanos, timeout));
                }
            } else if (q.putOrReserve(encoded, timeoutNanos, !behind, item -> buffer(q, item, timeoutNanos, timeout))
                    == SharedQueue.Placement.TIMED_OUT) {
                throw new QueueFullException(this + " is full (maxsize " + maxsize + "): no room within " + timeout);
            }
            done = true;
        } catch (InternalError fault) {
            throw damaged(fault);
        } finally {
            if (!done && spill != null) {
                spill.discard(); // NOTE: the item was neither put nor buffered (timeout, interrupt, close, damage)
            }
        }
    }

    /**
     * Takes an item {@link SharedQueue#putOrReserve} or {@link SharedQueue#reserve} counted as buffered: into
     * this process's feeder; or, when none can be made (the creator closed the queue after this process
     * attached), puts it itself as room appears, within the put's timeout. Throwing gives the count back
     * (the caller's {@code SharedQueue} does).
     */
    private void buffer(SharedQueue q, byte[] encoded, long timeoutNanos, Duration timeout) throws InterruptedException {
        QueueFeeder f = feeder();
        if (f != null) {
            f.addReserved(encoded);
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        if (!q.putReservedWhenRoom(encoded, () -> System.nanoTime() - deadline >= 0)) {
            throw new QueueFullException(this + " is full (" + CAPACITY_BYTES + " bytes, and no feeder: its creator"
                    + " closed it): no room within " + timeout);
        }
    }

    /** Removes the file of an item given up unput if it travelled as a spill frame ({@link QueueSpill}). */
    private static void discardIfSpill(byte[] message) {
        if (QueueSpill.isSpill(message)) {
            QueueSpill.of(message).discard();
        }
    }

    /** What messages call this queue: its class's name, or the class that wraps it ({@link SimpleQueue}). */
    private String kind() {
        return shownAs != null ? shownAs : getClass().getSimpleName();
    }

    /**
     * Marks this queue as made by the manager process {@code manager}: a wait on it in any process that uses
     * this handle (or a copy made after this call) ends with {@link ManagerUnavailableException} once that
     * process is gone, as a CPython manager queue's proxy call fails. Call before the handle is used or passed on.
     */
    final void ownedBy(ProcessStamp manager) {
        ownerPid = manager.pid();
        ownerStartMillis = manager.startMillis();
    }

    /** Makes messages call this queue {@code name}: for the class that wraps it. Before any use. */
    final void showAs(String name) {
        shownAs = name;
        itemDescription = describeItems();
    }

    /** This process's feeder, made now if needed; null if it cannot be (the queue's file is gone). */
    private QueueFeeder feeder() {
        QueueFeeder f = feeder;
        if (f != null) {
            return f;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            if (feeder == null) {
                try {
                    f = QueueFeeder.open(Path.of(path), toString(), Queue::discardIfSpill);
                } catch (NoSuchFileException gone) {
                    // NOTE: the creator closed the queue after this process attached: its mapping still works, a
                    // new one cannot be made, so this put waits for room (SharedQueue.putReservedWhenRoom)
                    return null;
                } catch (IOException e) {
                    throw new ProcessError("cannot buffer an item for " + this + ": " + e.getMessage(), e);
                }
                if (joinCancelled) {
                    f.cancelJoin();
                }
                feeder = f;
            }
            return feeder;
        }
    }

    /**
     * Removes and returns the item at the head, waiting as long as it takes for one.
     *
     * @return the item
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     * @throws IllegalStateException if this queue is closed in this process
     * @throws ProcessError if the item cannot be decoded here (its class is missing, or its readObject throws, an
     *         Error too); the item is consumed and the next get takes the next item
     */
    public T get() throws InterruptedException {
        return get(FOREVER_NANOS, null);
    }

    /**
     * Removes and returns the item at the head, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @return the item
     * @throws QueueEmptyException if no item came within the timeout
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     * @throws IllegalStateException if this queue is closed in this process
     * @throws ProcessError if the item cannot be decoded here (its class is missing, or its readObject throws, an
     *         Error too); the item is consumed and the next get takes the next item
     */
    public T get(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return get(Timeouts.nanos(timeout), timeout);
    }

    /**
     * Removes and returns the head item if there is one now (Python's {@code get_nowait}); never blocks
     * beyond a few microseconds, and leaves the interrupt status alone.
     *
     * @return the item
     * @throws QueueEmptyException if there is none (or another thread holds the consumer side)
     * @throws IllegalStateException if this queue is closed in this process
     * @throws ProcessError if the item cannot be decoded here (its class is missing, or its readObject throws, an
     *         Error too); the item is consumed and the next get takes the next item
     */
    public T getNowait() {
        boolean interrupted = Thread.interrupted();
        try {
            return get(0, Duration.ZERO);
        } catch (InterruptedException cannotHappen) {
            interrupted = true;
            throw new QueueEmptyException(this + " gave nothing: interrupted");
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private T get(long timeoutNanos, Duration timeout) throws InterruptedException {
        byte[] message;
        try {
            message = shared().take(timeoutNanos);
        } catch (InternalError fault) {
            throw damaged(fault);
        }
        if (message == null) {
            throw new QueueEmptyException(this + " is empty: no item within " + timeout);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            if (QueueSpill.isSpill(message)) {
                message = QueueSpill.of(message).take();
            }
            return (T) codec().decode(message, loader != null ? loader : Queue.class.getClassLoader());
        } catch (IOException | ClassNotFoundException e) {
            throw new ProcessError("cannot decode an item taken from " + this + ": " + e, e);
        }
    }

    /**
     * The codec of this queue's serializer, looked up once: the default context's cannot change once it
     * exists, and looking it up took {@code Multiprocessing.defaultContext()}'s monitor on every put and get.
     * The creating process looks it up in the constructor, a decoded copy on first use. Lazily in the
     * creator too, a JVM's second queue took the "not yet looked up" branch that the JIT had compiled away
     * while profiling the first one, and its first put threw the compiled put path away (a deoptimization
     * seen in the queue benchmark's parent, with the item description below).
     */
    private ObjectCodec codec() {
        ObjectCodec c = codec;
        if (c == null) {
            c = DefaultCodec.of(serializer);
            codec = c; // NOTE: a racy cache of the same object: at worst looked up twice
        }
        return c;
    }

    /**
     * What {@code put} tells the codec it is encoding, for its error message: made once, since building it
     * on every put (the file name, the class's simple name) cost more than the rest of a small put.
     */
    private String itemDescription() {
        String d = itemDescription;
        if (d == null) {
            d = describeItems();
            itemDescription = d; // NOTE: a racy cache of an immutable String: at worst made twice
        }
        return d;
    }

    private String describeItems() {
        return "an item put into " + kind() + "[" + Path.of(path).getFileName() + "]";
    }

    /**
     * A fault in the mapped file (HotSpot reports the SIGBUS of a read past the end of a truncated file as
     * this {@link InternalError}): the queue's file was truncated or damaged under it.
     */
    private ProcessError damaged(InternalError fault) {
        SharedQueue q = shared;
        if (q != null) {
            q.markDamaged();
        }
        return new ProcessError("the shared file of " + this + " was truncated or damaged while in use ("
                + fault.getMessage() + ")", fault);
    }

    /**
     * Items in the queue now; approximate while others put and get.
     *
     * @return the number of items in the queue now
     */
    public int qsize() {
        SharedQueue q = shared();
        // NOTE: with the items producers hold while it is full, as CPython's count includes its feeders'. Two
        // reads: an item a feeder publishes between them may count twice, never more than maxsize in all.
        long size = q.buffered() + q.size();
        return (int) Math.min(maxsize > 0 ? maxsize : Integer.MAX_VALUE, size);
    }

    /** {@return {@code true} if the queue holds no item now; approximate} */
    public boolean empty() {
        return shared().size() == 0;
    }

    /** {@return {@code true} if the queue holds {@code maxsize} items now, those producers buffer included (never for an unbounded queue); approximate} */
    public boolean full() {
        SharedQueue q = shared(); // NOTE: first, so that a closed queue throws here as in qsize() and empty()
        long size = q.size() + q.buffered();
        return maxsize > 0 && size >= maxsize;
    }

    /** {@return the item limit; 0 for none} */
    public int maxsize() {
        return (int) maxsize;
    }

    /**
     * A {@link BlockingQueue} view of this queue for Java code that expects one; each call maps to one call
     * of this queue. Supported: {@code put}, {@code offer} (with and without timeout; false where this
     * queue throws {@link QueueFullException}), {@code take}, {@code poll} (with and without timeout;
     * {@code null} for "no item"), {@code add}, {@code remove()}, {@code size}, {@code isEmpty},
     * {@code remainingCapacity}, {@code drainTo} (into anything but a view of this same queue),
     * {@code clear} (takes the items there are now). Unsupported ({@link UnsupportedOperationException}):
     * {@code peek}, {@code element}, {@code iterator} and what needs it ({@code contains},
     * {@code remove(Object)}, {@code toArray}, ...), because a shared queue cannot show its items in place. As the interface requires, the view rejects {@code null} items; do not use it on a
     * queue that holds {@code null}s.
     *
     * @return a {@link BlockingQueue} view of this queue
     */
    public BlockingQueue<T> asBlockingQueue() {
        return new QueueBlockingView<>(this);
    }

    /**
     * Ends this process's use of the queue (Python's {@code close}): threads of this process blocked in it
     * throw {@link IllegalStateException} within a futex slice; later {@code put}/{@code get} throw it
     * too. In the creating process it also removes the shared file, at once or once the child processes it
     * has now have ended (see the class doc). Items already put
     * stay for other processes; items this process buffered while the shared memory was full are still
     * moved into it by the feeder thread (see {@link #joinThread()}). On a decoded copy this closes it for
     * every holder in this JVM (see the class doc). Idempotent; never blocks beyond the unmapping.
     */
    @Override
    public void close() {
        SharedQueue q;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            q = shared;
        }
        if (!creator && path != null) {
            DECODED.forget(identity(), this);
        }
        QueueFeeder f;
        synchronized (this) {
            f = feeder; // NOTE: read under the lock that feeder() makes it under, after closed was set
        }
        // NOTE: a child started before this close may hold the handle and not have used it yet (a handle attaches
        // on first use): the name stays until every child Process alive now has ended (CPython's child keeps its
        // copy; a queue reaches a process only at its start there, never through a pool task)
        List<Process> children = creator ? Children.active() : List.of();
        boolean unlinkNow = creator && children.isEmpty();
        if (f != null) {
            // NOTE: its own mapping goes on after ours is gone; the file stays until it has fed everything in
            f.closeWhenFlushed(unlinkNow);
        }
        if (q != null) {
            if (unlinkNow && f == null) {
                unlinkBestEffort();
            }
            q.close();
        }
        if (creator && !unlinkNow) {
            CompletableFuture.allOf(children.stream().map(Process::whenEnded).toArray(CompletableFuture<?>[]::new))
                    .whenComplete((ended, error) -> unlinkBestEffort());
        }
    }

    private void unlinkBestEffort() {
        try {
            Files.deleteIfExists(Path.of(path));
        } catch (IOException bestEffort) {
            // the tree's sweep removes it at exit
        }
    }

    /**
     * Waits until the items this process put while the shared memory was full are in it (Python's
     * {@code join_thread}); returns at once if there are none, which is the rule: a {@code put} with room
     * wrote its item before returning, or after {@link #cancelJoinThread()}. As in Python, only after
     * {@link #close()}.
     *
     * @throws IllegalStateException if this queue is not closed in this process
     * @throws InterruptedException if interrupted while waiting
     */
    public void joinThread() throws InterruptedException {
        if (!closed) {
            throw new IllegalStateException("joinThread() on " + this + ": close() it first (as Python's join_thread)");
        }
        QueueFeeder f = feeder;
        if (f != null) {
            f.awaitFlushed(FOREVER_NANOS);
        }
    }

    /**
     * Lets this process exit, and {@link #joinThread()} return, without waiting for the items it put while
     * the shared memory was full (Python's {@code cancel_join_thread}): the feeder thread goes on moving them
     * in while the process lives, and those not yet in when it exits are lost. Items put with room are not
     * affected: they are in shared memory already.
     */
    public void cancelJoinThread() {
        QueueFeeder f;
        // NOTE: under the lock feeder() makes the feeder under: between its check of joinCancelled and its store
        // of the new feeder, a cancel read no feeder yet, and the new one never learned of it
        synchronized (this) {
            joinCancelled = true;
            f = feeder;
        }
        if (f != null) {
            f.cancelJoin();
        }
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same queue, if there is one (see the class doc).
     * Package-private and final so that it applies to {@link JoinableQueue} too.
     *
     * @return the copy to use in place of this decoded one
     */
    @Serial
    final Object readResolve() {
        if (path == null) {
            return this;
        }
        Queue<?> open = DECODED.resolve(identity(), this);
        if (open != this && ownerPid != 0) {
            open.learnOwner(ownerPid, ownerStartMillis);
        }
        return open;
    }

    /** Takes the manager that made this queue from another decoded copy, if this one did not know it. */
    private synchronized void learnOwner(long pid, long startMillis) {
        if (ownerPid != 0 || closed) {
            return;
        }
        ownerPid = pid;
        ownerStartMillis = startMillis;
        SharedQueue q = shared;
        if (q != null) {
            q.watchOwner(new ProcessStamp(pid, startMillis));
        }
    }

    /**
     * The {@link SimpleQueue} that first adopted this decoded copy, or {@code candidate}, which does so
     * now: a simple queue decoded around this queue resolves to it.
     */
    final synchronized Object adopt(Object candidate) {
        if (wrapper == null) {
            wrapper = candidate;
        }
        return wrapper;
    }

    private Identity identity() {
        return new Identity(path, getClass(), maxsize, serializer, buffersWhenFull);
    }

    /** True if {@code other} is a handle of the same shared queue (this object, or a copy of it). */
    final boolean sameFileAs(Queue<?> other) {
        return other == this || path != null && path.equals(other.path);
    }

    /** This process's mapping, attached on first use. */
    final SharedQueue shared() {
        SharedQueue q = shared;
        if (q != null && !closed) {
            return q;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
            if (shared == null) {
                try {
                    SharedQueue attached = SharedQueue.attach(Path.of(path));
                    if (ownerPid != 0) {
                        attached.watchOwner(new ProcessStamp(ownerPid, ownerStartMillis));
                    }
                    shared = attached;
                } catch (NoSuchFileException gone) {
                    throw new IllegalStateException(this + " cannot be used in " + ProcessHandle.current().pid()
                            + ": its shared file is gone (the creating process closed the queue, or its tree ended)", gone);
                } catch (IOException e) {
                    throw new ProcessError("cannot attach " + this + ": " + e.getMessage(), e);
                }
            }
            return shared;
        }
    }

    @Override
    public String toString() {
        return kind() + "[" + Path.of(path).getFileName() + (maxsize > 0 ? ", maxsize " + maxsize : "")
                + (closed ? ", closed]" : "]");
    }
}
