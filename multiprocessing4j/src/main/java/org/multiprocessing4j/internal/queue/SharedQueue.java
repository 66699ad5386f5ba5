package org.multiprocessing4j.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.multiprocessing4j.internal.queue.QueueLayout.DATA;
import static org.multiprocessing4j.internal.queue.QueueLayout.ITEM;
import static org.multiprocessing4j.internal.queue.QueueLayout.LONG;
import static org.multiprocessing4j.internal.queue.QueueLayout.PAD;
import static org.multiprocessing4j.internal.queue.QueueLayout.RECORD_HEADER;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * A multi-producer multi-consumer queue of byte messages in one {@code /dev/shm} file, usable by any
 * number of threads in any number of processes at once: {@link #create} makes one, {@link #attach} maps
 * it by path in another process. Layout: {@link QueueLayout}.
 *
 * <p>Blocking: {@link #put} and {@link #take} wait up to a timeout (a zero or negative one means "try
 * once") and report a timeout by their return value; both throw {@link InterruptedException} if
 * interrupted while waiting, and {@link IllegalStateException} if this object is closed before or while
 * they wait. A waiter uses no CPU between futex slices. {@link #put} returns only once the message is in
 * shared memory: a process that exits right after loses nothing.
 *
 * <p>Death: a process killed (SIGKILL included) while holding a side's lock, even mid-operation, does not
 * block the others: the next one takes the lock over and repairs the counters ({@link Cursor}). A
 * message is published whole or not at all. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Roles. Producers are serialized by the producer RobustMutex and move the producer Cursor (tail, puts);
 * consumers by the consumer mutex and the consumer Cursor (head, gets). A side waits for the other
 * while holding its own lock (a producer for space, a consumer for data), so at most one live thread
 * sleeps on the data or the space FutexCondition and the others sleep on the mutex; the lock holder's
 * wait cannot deadlock with the other side's, because "no space" or "maxsize reached" means there is an
 * item to take.
 *
 * Put. Encode outside any lock (the caller). Under the producer lock: a record never wraps; when it does
 * not fit before the end of the data area the producer first publishes a PAD over the rest (waiting for
 * that much space), then waits for room for the record at offset 0. Publication: write the record's
 * header and bytes (plain stores), then Cursor.advanceItem (count, then the tail with release). Nothing of
 * a record is visible before the tail covers it, so a producer that dies mid-write leaves no torn message:
 * the next producer overwrites the unpublished bytes. Then RobustMutex.unlockAndSignal: release the lock
 * word, one full fence, and only then read the lock's waiter count and the data futex word's waiting bit;
 * FUTEX_WAKE only for a sleeper registered and not yet woken (FutexCondition).
 *
 * Take. Under the consumer lock: wait for tail != head (acquire), read the record at head, skip a PAD,
 * copy an ITEM out, Cursor.advanceItem (gets, then head with release: the space is free only after the
 * copy), then unlockAndSignal(space). A consumer that dies before the head store leaves the item in the
 * queue for the next.
 *
 * The uncontended path (what one producer and one consumer do nearly always) reads no clock and
 * allocates nothing of its own: tryLock is one CAS; the deadline is computed only when something must
 * be waited for. Each side also keeps, per process, its last look at the other side's position (headSeen
 * for producers, tailSeen for consumers), read and written only under its own lock. Positions only grow,
 * so a stale look is a lower bound: it underestimates the room or the data and is safe; the other side's
 * cache line is read again only when the stale look says "wait". The consumer's tailSeen was read with
 * acquire by a consumer of this process; the consumer lock's release and CAS carry that view to the next
 * one, so the record bytes it covers are visible. If consumers of another process moved the head past our
 * tailSeen, tailSeen - h <= 0 and we re-read. Measured on the 2-vCPU VM of DESIGN.md: these, with the single fence,
 * took an uncontended put+get pair from ~450 ns to ~230 ns in one thread; the futex word's waiting bit
 * removed the FUTEX_WAKE that every put issued while a woken consumer had not yet run.
 *
 * Known cost of never splitting a record: a PAD occupies the ring until a consumer skips it, so an item
 * larger than the free space left after the PAD waits for a consumer even if the queue holds no item
 * (only items over half the capacity can meet this, see maxMessageBytesWithoutWait; put(..., timeout) then
 * reports "full", and without a consumer put waits for ever). Queue spills such items for SimpleQueue,
 * whose put waits for room; the buffering Queue hands them to its feeder instead.
 *
 * maxsize (in items): a producer also waits while puts - gets + buffered >= maxsize (read fresh); PADs are
 * not items. buffered counts the items producers hold in their feeders (Queue, CPython's feeder thread),
 * per process (BufferedCounts): a waiter for maxsize or join, and buffered(), take back the counts of
 * producers that died (their items died with them) before they conclude "no place" or "not done":
 * putOrReserve, under the producer lock, either appends an item or counts it there (a reservation of its
 * place), and the feeder's putReservedWhenRoom publishes it and takes it out of that count in one step
 * under the lock, so a producer never sees an item twice or not at all. A putOrReserve producer waits for
 * maxsize WITHOUT the lock (on the space condition, where several may sleep): every place may be held by
 * buffered items, whose feeders need the lock to move them in, and a put that only tries must not fail
 * because another producer holds the lock while it waits. (A SharedQueue.put producer still waits for
 * room or maxsize holding the lock, as in "Roles" above; Queue uses it for SimpleQueue, which has no
 * maxsize.)
 * Tasks (JoinableQueue): unfinished = puts - tasks done; taskDone CASes tasks done up by one unless it
 * would pass puts (compared with putsSeen first, a lower bound, and re-read only when that refuses; then
 * with the items producers buffer too, which count as put, as for join);
 * join sleeps on the tasks condition until they are equal, and taskDone wakes it only when done may have
 * reached puts, not on every call.
 *
 * A holder killed between a Cursor's count and position stores leaves the count one item off until its
 * side's next holder repairs it. Readers that take no lock (size(), so empty() and qsize(); join's recovery
 * check) repair it themselves when they see such an unfinished move: they try the side's lock once, which
 * takes it over only from a dead owner (settleIfHolderDied). Otherwise a consumer waiting for "the producer
 * ended and the queue is empty" saw a phantom item for ever.
 *
 * A sleeper killed inside a futex slice leaves its waiting bit (or a mutex waiter count one too high)
 * behind: that only costs a needless FUTEX_WAKE, never a lost wake-up.
 *
 * Close (this process only): a flag every wait checks before each slice; close() sets it, wakes every
 * sleeper of this file (others re-check and sleep again), then waits until ActiveCalls counts none of
 * our own operations inside, so the file is unmapped only after they have left it (and released any
 * queue lock they held).
 *
 * Stress: QueueStress (test sources) with QueueWeakening's deliberately broken variants; STRESS.md.
 */
public final class SharedQueue implements AutoCloseable {
    /** Bytes in the data area of a queue made by {@link #create(long)}: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * How often a producer waiting for maxsize, or a joiner, takes back the buffered counts of producers that
     * died (BufferedCounts; a liveness check per such producer): not in the wait's predicate, which a spin
     * evaluates many times.
     */
    private static final long RECOVERY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SharedFile file;
    private final MemorySegment segment;
    private final int capacity;
    private final long mask;
    private final long maxsize;
    private final RobustMutex producers;
    private final RobustMutex consumers;
    private final Cursor tail;
    private final Cursor head;
    private final FutexCondition data;
    private final FutexCondition space;
    private final FutexCondition tasks;
    /** Items producers hold in their feeders, per process (see {@link QueueLayout}). */
    private final BufferedCounts counts;
    private final ActiveCalls calls = new ActiveCalls();
    private final FutexCondition.Cancellation cancellation = this::ensureOpen;
    /** The last head this process's producers read: a lower bound of the head. Producer lock held. */
    private long headSeen;
    /** The last tail this process's consumers read: a lower bound of the tail. Consumer lock held. */
    private long tailSeen;
    /** The last puts count this process's {@link #taskDone} read: a lower bound of the count. */
    private volatile long putsSeen;

    private SharedQueue(SharedFile file, int capacity) {
        this.file = file;
        this.segment = file.segment();
        this.capacity = capacity;
        this.mask = capacity - 1L;
        this.maxsize = segment.get(ValueLayout.JAVA_LONG, QueueLayout.MAXSIZE_OFFSET);
        this.producers = new RobustMutex(segment, QueueLayout.PRODUCER_MUTEX);
        this.consumers = new RobustMutex(segment, QueueLayout.CONSUMER_MUTEX);
        this.tail = new Cursor(segment, QueueLayout.PRODUCER_CURSOR);
        this.head = new Cursor(segment, QueueLayout.CONSUMER_CURSOR);
        // NOTE: data is waited on only by the holder of the consumer lock; space by the holder of the producer
        // lock (room, SharedQueue.put) and by producers of a buffering queue waiting for maxsize without it
        // (putOrReserve): several may sleep on space
        this.data = new FutexCondition(segment, QueueLayout.DATA_FUTEX, true);
        this.space = new FutexCondition(segment, QueueLayout.SPACE_FUTEX, false);
        this.tasks = new FutexCondition(segment, QueueLayout.TASKS_FUTEX, false);
        this.counts = new BufferedCounts(segment, QueueLayout.BUFFERED, QueueLayout.BUFFERED_OVERFLOW, file.path().toString());
    }

    /** Creates a queue of {@link #DEFAULT_CAPACITY} bytes; {@code maxsize} items at most, 0 for no limit. */
    public static SharedQueue create(long maxsize) throws IOException {
        return create(maxsize, DEFAULT_CAPACITY);
    }

    /**
     * Creates a queue with {@code capacity} bytes of data area (a power of two, 64 B to 1 GiB) in a new
     * file with an unguessable name; {@code maxsize} items at most, 0 for no limit.
     */
    public static SharedQueue create(long maxsize, int capacity) throws IOException {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must be 0 (unbounded) or positive: " + maxsize);
        }
        if (capacity < 64 || capacity > (1 << 30) || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two in [64, 2^30]: " + capacity);
        }
        Futex.link();
        SharedFile file = SharedFile.create(QueueLayout.fileSize(capacity));
        QueueLayout.initialize(file.segment(), capacity, maxsize, ProcessStamp.self());
        return new SharedQueue(file, capacity);
    }

    /**
     * Maps the existing queue at {@code path}.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file (its creator closed it, or its tree ended)
     * @throws org.multiprocessing4j.internal.shm.IncompatibleLayoutException if it is not a queue of this layout
     */
    public static SharedQueue attach(Path path) throws IOException {
        Futex.link();
        SharedFile file = SharedFile.attach(path);
        try {
            return new SharedQueue(file, QueueLayout.check(file.segment(), path));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The largest message {@link #put} takes: the data area less one record header. */
    public int maxMessageBytes() {
        return capacity - RECORD_HEADER;
    }

    /**
     * The largest message that a queue holding no item always has room for, wherever its positions stand:
     * half the data area less one record header. A longer one ({@link #maxMessageBytes()} at most) may have
     * to wait, in a queue holding no item, for a consumer to skip the PAD its own put wrote (see the notes
     * above, "Known cost"), so a caller whose put waits for room, and whose consumer may be the same thread
     * or may wait for that put to return first, sends longer ones another way.
     */
    public int maxMessageBytesWithoutWait() {
        // NOTE: a record of r <= capacity / 2 bytes needs a PAD only when r > toEnd; the PAD then leaves
        // capacity - toEnd > capacity - r >= r bytes free at offset 0 when no item is in the queue.
        return capacity / 2 - RECORD_HEADER;
    }

    /**
     * Appends {@code message} whole, waiting up to {@code timeoutNanos} for the producer lock, for
     * {@code maxsize} to allow one more item and for room in the data area. The clock is read only if
     * something has to be waited for.
     *
     * @param timeoutNanos how long to wait at most; zero or negative: try once (still taking the lock over
     *        from a dead owner); at most 2^62
     * @return false if the timeout passed first (nothing was put)
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageBytes()}
     * @throws InterruptedException if interrupted while waiting (nothing was put)
     * @throws IllegalStateException if this object is closed
     */
    public boolean put(byte[] message, long timeoutNanos) throws InterruptedException {
        return put(message, timeoutNanos, true, false);
    }

    /**
     * Appends {@code message} whole if there is room for it now: waits as long as it takes for the producer
     * lock (held by a putting thread for microseconds), but never for room or for {@code maxsize}.
     *
     * @return false if the data area had no room for it (nothing was put)
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageBytes()}
     * @throws InterruptedException if interrupted while waiting for the lock (nothing was put)
     * @throws IllegalStateException if this object is closed
     */
    public boolean putIfRoom(byte[] message) throws InterruptedException {
        return put(message, 1L << 62, false, false);
    }

    /**
     * Appends {@code message} once there is room, never waiting for room while holding the producer lock
     * (which would make every other producer's {@link #putIfRoom} wait as long): it tries, and when there is
     * no room parks and tries again, 50 µs at first, doubling to 5 ms. So it notices freed room up to 5 ms
     * late and wakes at most 200 times a second while the queue stays full. For the feeder of an unbounded
     * queue ({@link QueueFeeder}) and the puts that stand in for one.
     *
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageBytes()}
     * @throws InterruptedException if interrupted (nothing was put)
     * @throws IllegalStateException if this object is closed
     */
    public void putWhenRoom(byte[] message) throws InterruptedException {
        putWhenRoom(message, false, () -> false);
    }

    /**
     * As {@link #putWhenRoom}, for an item {@link #putOrReserve} counted as buffered: {@code maxsize} is not
     * checked again (the item holds its place already), and the buffered count drops by one under the
     * producer lock, in the same step that publishes the item, so that no producer ever sees the item
     * counted twice or not at all. For {@link QueueFeeder}.
     *
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageBytes()}
     * @throws InterruptedException if interrupted (nothing was put; the item stays counted as buffered)
     * @throws IllegalStateException if this object is closed
     */
    public void putReservedWhenRoom(byte[] message) throws InterruptedException {
        putWhenRoom(message, true, () -> false);
    }

    /**
     * As {@link #putReservedWhenRoom(byte[])}, giving up when {@code giveUp} says so (asked after each try).
     *
     * @return false if it gave up: nothing was put, and the item stays counted as buffered
     */
    public boolean putReservedWhenRoom(byte[] message, BooleanSupplier giveUp) throws InterruptedException {
        return putWhenRoom(message, true, giveUp);
    }

    /** What {@link #putOrReserve} did with an item. */
    public enum Placement {
        /** The item is in shared memory. */
        PUT,
        /** The item is counted as buffered (it holds its place under {@code maxsize}) and was handed off. */
        RESERVED,
        /** {@code maxsize} items were in the queue (buffered ones included) for the whole timeout: nothing changed. */
        TIMED_OUT
    }

    /**
     * The put of a queue whose producers buffer items while its shared memory is full (CPython's
     * {@code Queue}, whose feeder thread writes its pipe): waits up to {@code timeoutNanos} for {@code maxsize}
     * to allow one more item, counting the items producers hold; then, under the producer lock, appends
     * {@code message} if {@code direct} and there is room for it now, and otherwise counts it as buffered. It
     * never waits for room in the data area, and never waits holding the lock (so the lock is held for
     * microseconds only, and this waits for it as long as it takes, whatever the timeout).
     *
     * @param direct false when the caller's earlier items still wait in its feeder: this one must queue
     *        behind them even if it would fit now
     * @param timeoutNanos how long to wait for {@code maxsize} at most; zero or negative: try once
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageBytes()}
     * @throws InterruptedException if interrupted while waiting (nothing was put or counted)
     * @throws IllegalStateException if this object is closed
     */
    public Placement putOrReserve(byte[] message, long timeoutNanos, boolean direct, HandOff handOff) throws InterruptedException {
        checkLength(message);
        long record = QueueLayout.align8(RECORD_HEADER + (long) message.length);
        enter();
        try {
            long deadline = 0;
            boolean timed = false;
            for (;;) {
                if (!producers.tryLock() && !lockProducers(System.nanoTime() + (1L << 62))) {
                    throw new IllegalStateException("the producer lock of " + this + " could not be taken");
                }
                boolean reserved = false;
                try {
                    if (maxsize == 0 || belowMaxsize()) {
                        if (direct && append(message, record, 0, 0, true, false, false, false)) {
                            return Placement.PUT;
                        }
                        counts.add(1);
                        reserved = true;
                    }
                } finally {
                    producers.unlockAndSignal(data);
                }
                if (reserved) {
                    handOff(message, handOff); // NOTE: out of the lock, inside this call: the mapping stays open
                    return Placement.RESERVED;
                }
                if (counts.recoverDead(false)) {
                    continue; // NOTE: places held by the items of a dead producer are free again
                }
                if (!timed) {
                    deadline = System.nanoTime() + timeoutNanos;
                    timed = true;
                }
                // NOTE: without the lock (feeders need it to move the buffered items that may hold the places):
                // a get, or a producer giving up buffered items (addBuffered), frees a place and signals space
                if (!space.await(this::belowMaxsize, recoveryCheckOrDeadline(deadline), cancellation)
                        && deadline - System.nanoTime() <= 0) {
                    return Placement.TIMED_OUT;
                }
                // NOTE: woken, or a recovery check is due (the loop takes back dead producers' counts first)
            }
        } finally {
            leave();
        }
    }

    /**
     * Repairs {@code cursor} if a move of it is unfinished and the holder of {@code mutex} (its side's lock)
     * died: takes the lock over without waiting (a live holder is just moving it: nothing to do), repairs,
     * signals {@code moved} and releases. Costs one load when no move is pending. Keeps the interrupt status.
     */
    private void settleIfHolderDied(Cursor cursor, RobustMutex mutex, FutexCondition moved) {
        if (!cursor.moveUnfinished()) {
            return;
        }
        RobustMutex.Acquired acquired;
        try {
            acquired = mutex.lock(System.nanoTime(), cancellation); // NOTE: a past deadline: try once, dead owner included
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // NOTE: thrown only after the dead-owner check, which found a live one
            return;
        }
        if (!acquired.held()) {
            return;
        }
        if (acquired == RobustMutex.Acquired.RECOVERED) {
            cursor.repair();
        }
        mutex.unlockAndSignal(moved);
    }

    /** The end of a wait slice: the next recovery check ({@link #RECOVERY_CHECK_NANOS} from now), or {@code deadline} if sooner. */
    private static long recoveryCheckOrDeadline(long deadline) {
        long now = System.nanoTime();
        return deadline - now > RECOVERY_CHECK_NANOS ? now + RECOVERY_CHECK_NANOS : deadline;
    }

    /** What takes an item counted as buffered ({@link #putOrReserve}, {@link #reserve}). */
    @FunctionalInterface
    public interface HandOff {
        /**
         * Takes {@code message}: into this process's feeder, or puts it itself. If it throws, the item's
         * count (and place) is given back, and the exception goes to the caller.
         */
        void take(byte[] message) throws InterruptedException;
    }

    /**
     * For a queue without {@code maxsize}, whose items need no place reserved under the producer lock:
     * counts {@code message} as buffered and hands it off, giving the count back if that throws, while this
     * mapping stays open (so a {@link #close()} meanwhile cannot strand the count).
     *
     * @throws IllegalStateException if this object is closed (nothing counted)
     */
    public void reserve(byte[] message, HandOff handOff) throws InterruptedException {
        enter();
        try {
            counts.add(1);
            handOff(message, handOff);
        } finally {
            leave();
        }
    }

    private void handOff(byte[] message, HandOff handOff) throws InterruptedException {
        boolean handed = false;
        try {
            handOff.take(message);
            handed = true;
        } finally {
            if (!handed) {
                counts.add(-1);
                space.signal();
                tasks.signal();
            }
        }
    }

    /** Items in the queue plus those producers hold for it are under {@code maxsize} (reads both fresh). */
    private boolean belowMaxsize() {
        return tail.count() - head.count() + counts.total() < maxsize;
    }

    private boolean putWhenRoom(byte[] message, boolean reserved, BooleanSupplier giveUp) throws InterruptedException {
        long backoff = FIRST_BACKOFF_NANOS;
        for (;;) {
            if (put(message, 1L << 62, false, reserved)) {
                return true;
            }
            if (giveUp.getAsBoolean()) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(this, backoff);
            backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
        }
    }

    /**
     * @param reserved the item was counted as buffered by {@link #putOrReserve}: skip the {@code maxsize}
     *        check and take it out of the buffered count when it is published
     */
    private boolean put(byte[] message, long timeoutNanos, boolean waitForRoom, boolean reserved) throws InterruptedException {
        checkLength(message);
        long record = QueueLayout.align8(RECORD_HEADER + (long) message.length);
        enter();
        try {
            long deadline = 0;
            boolean timed = false;
            if (!producers.tryLock()) {
                deadline = System.nanoTime() + timeoutNanos;
                timed = true;
                if (!lockProducers(deadline)) {
                    return false;
                }
            }
            try {
                return append(message, record, timeoutNanos, deadline, timed, waitForRoom, !reserved, reserved);
            } finally {
                producers.unlockAndSignal(data);
            }
        } finally {
            leave();
        }
    }

    private void checkLength(byte[] message) {
        if (message.length > maxMessageBytes()) {
            throw new IllegalArgumentException("an item of " + message.length + " encoded bytes does not fit a queue of "
                    + capacity + " bytes (at most " + maxMessageBytes() + ")");
        }
    }

    /** Takes the producer lock by {@code deadline}, repairing the tail after a dead owner; false if it timed out. */
    private boolean lockProducers(long deadline) throws InterruptedException {
        RobustMutex.Acquired acquired = producers.lock(deadline, cancellation);
        if (!acquired.held()) {
            return false;
        }
        if (acquired == RobustMutex.Acquired.RECOVERED && tail.repair()) {
            data.signal();
        }
        return true;
    }

    /**
     * The body of {@link #put}, under the producer lock; {@code deadline} is valid if {@code timed}, else it
     * is computed from {@code timeoutNanos} when something must be waited for; without {@code waitForRoom}
     * "no room" returns false at once (after a PAD, if one fitted: that is free space anyway). Without
     * {@code checkMaxsize} the caller has checked {@code maxsize} under this lock; {@code fromBuffer}: the
     * item was counted as buffered, and leaves that count when it is published.
     */
    private boolean append(byte[] message, long record, long timeoutNanos, long deadline, boolean timed,
                           boolean waitForRoom, boolean checkMaxsize, boolean fromBuffer) throws InterruptedException {
        for (;;) {
            long t = tail.position();
            long toEnd = capacity - (t & mask);
            boolean pad = record > toEnd;
            long need = pad ? toEnd : record;
            // NOTE: a PAD is no item; the caller checked maxsize, or the item holds its place already (fromBuffer)
            boolean counted = pad || !checkMaxsize;
            if (!hasRoom(t, need, counted)) {
                if (!waitForRoom) {
                    return false;
                }
                if (!timed) {
                    deadline = System.nanoTime() + timeoutNanos;
                    timed = true;
                }
                if (!space.await(() -> fits(t, need, counted), deadline, cancellation)) {
                    return false;
                }
            }
            long offset = DATA + (t & mask);
            if (pad) {
                LONG.set(segment, offset, QueueLayout.recordHeader(0, PAD));
                tail.advancePosition(t + toEnd);
                data.signal();
                continue;
            }
            long puts = tail.count();
            if (QueueWeakening.PUBLISH_FIRST) {
                tail.advanceItem(t + record, puts); // deliberately broken: see QueueWeakening
            }
            LONG.set(segment, offset, QueueLayout.recordHeader(message.length, ITEM));
            writePayload(message, offset + RECORD_HEADER);
            if (!QueueWeakening.PUBLISH_FIRST) {
                // NOTE: the record's bytes before the tail's release store: nothing unwritten is published.
                tail.advanceItem(t + record, puts);
            }
            if (fromBuffer) {
                // NOTE: after the count grew, under the lock: puts + buffered never dips (a joiner), and no
                // producer, which reads both under this lock, sees the item twice
                counts.add(-1);
            }
            return true; // the caller's unlockAndSignal wakes a sleeping consumer
        }
    }

    /**
     * Copies a record's payload in: up to 8 bytes as one long store into the record's first payload word
     * (records are 8-aligned, so a record with a payload owns that word whole), which costs less than a
     * bulk copy's call and checks; larger ones with {@link MemorySegment#copy}. Plain stores: the cursor's
     * release store publishes them.
     */
    private void writePayload(byte[] message, long at) {
        int n = message.length;
        if (n > Long.BYTES) {
            MemorySegment.copy(message, 0, segment, JAVA_BYTE, at, n);
        } else if (n > 0) {
            long word = 0;
            for (int k = 0; k < n; k++) {
                word |= (message[k] & 0xFFL) << (Byte.SIZE * k);
            }
            QueueLayout.LONG_LE.set(segment, at, word);
        }
    }

    /** The reverse of {@link #writePayload}: fills {@code message} from the payload at {@code at}. */
    private void readPayload(long at, byte[] message) {
        int n = message.length;
        if (n > Long.BYTES) {
            MemorySegment.copy(segment, JAVA_BYTE, at, message, 0, n);
        } else if (n > 0) {
            long word = (long) QueueLayout.LONG_LE.get(segment, at);
            for (int k = 0; k < n; k++) {
                message[k] = (byte) (word >>> (Byte.SIZE * k));
            }
        }
    }

    /**
     * {@link #fits} through this process's last look at the head first: the head only grows, so a stale
     * look underestimates the room and is safe; only when it says "no room" is the consumers' cache line
     * read again. Producer lock held.
     */
    private boolean hasRoom(long t, long need, boolean counted) {
        if (capacity - (t - headSeen) < need) {
            headSeen = head.position();
            if (capacity - (t - headSeen) < need) {
                return false;
            }
        }
        return counted || maxsize == 0 || belowMaxsize();
    }

    /** {@code counted}: a PAD, or an item already counted under {@code maxsize} (see {@link #append}). */
    private boolean fits(long t, long need, boolean counted) {
        long used = t - head.position();
        return capacity - used >= need && (counted || maxsize == 0 || belowMaxsize());
    }

    /**
     * Removes the oldest message, waiting up to {@code timeoutNanos} for the consumer lock and for a
     * message. The clock is read only if something has to be waited for.
     *
     * @param timeoutNanos how long to wait at most; zero or negative: try once; at most 2^62
     * @return the message, or null if the timeout passed first (nothing was taken)
     * @throws InterruptedException if interrupted while waiting (nothing was taken)
     * @throws IllegalStateException if this object is closed, or the file is corrupt
     */
    public byte[] take(long timeoutNanos) throws InterruptedException {
        enter();
        try {
            long deadline = 0;
            boolean timed = false;
            if (!consumers.tryLock()) {
                deadline = System.nanoTime() + timeoutNanos;
                timed = true;
                RobustMutex.Acquired acquired = consumers.lock(deadline, cancellation);
                if (!acquired.held()) {
                    return null;
                }
                if (acquired == RobustMutex.Acquired.RECOVERED && head.repair()) {
                    space.signal();
                }
            }
            try {
                return remove(timeoutNanos, deadline, timed);
            } finally {
                consumers.unlockAndSignal(space);
            }
        } finally {
            leave();
        }
    }

    /** The body of {@link #take}, under the consumer lock; {@code deadline} as for {@link #append}. */
    private byte[] remove(long timeoutNanos, long deadline, boolean timed) throws InterruptedException {
        for (;;) {
            long h = head.position();
            // NOTE: tailSeen is a tail some consumer of this process read with acquire under this lock; the
            // lock's release/acquire carries that acquire's view to us. Only "nothing after h" re-reads it.
            if (tailSeen - h <= 0) {
                tailSeen = tail.position();
                if (tailSeen - h <= 0) {
                    if (!timed) {
                        deadline = System.nanoTime() + timeoutNanos;
                        timed = true;
                    }
                    if (!data.await(() -> tail.position() != h, deadline, cancellation)) {
                        return null;
                    }
                    tailSeen = tail.position();
                }
            }
            long offset = DATA + (h & mask);
            long toEnd = capacity - (h & mask);
            long header = (long) LONG.get(segment, offset);
            int kind = QueueLayout.kind(header);
            if (kind == PAD) {
                head.advancePosition(h + toEnd);
                space.signal();
                continue;
            }
            int length = QueueLayout.length(header);
            if (kind != ITEM || length < 0 || RECORD_HEADER + (long) length > toEnd) {
                throw new IllegalStateException("corrupt record at position " + h + " of " + file.path()
                        + ": kind " + kind + ", length " + length);
            }
            byte[] message = new byte[length];
            readPayload(offset + RECORD_HEADER, message);
            head.advanceItem(h + QueueLayout.align8(RECORD_HEADER + (long) length), head.count());
            return message; // the caller's unlockAndSignal wakes a sleeping producer
        }
    }

    /**
     * Adds {@code delta} to the count of items producers hold for this queue while it is full (see
     * {@link QueueLayout}); any process, any thread, atomically.
     */
    public void addBuffered(long delta) {
        enter();
        try {
            counts.add(delta);
            if (delta < 0) {
                // NOTE: items given up free their places: a producer may wait for maxsize, a joiner for them
                space.signal();
                tasks.signal();
            }
        } finally {
            leave();
        }
    }

    /**
     * Items that producers of any process hold for this queue while it is full (a snapshot); those of
     * producers that died are taken back first.
     */
    public long buffered() {
        enter();
        try {
            long total = counts.total();
            return total > 0 && counts.recoverDead(false) ? counts.total() : total;
        } finally {
            leave();
        }
    }

    /** Items in the queue now (puts - gets); approximate while others put and take. */
    public long size() {
        enter();
        try {
            // NOTE: a side's holder killed between its count and position stores leaves the count one item
            // off (a phantom item, or one not counted) until that side's next holder repairs it; a reader
            // that takes neither lock would report it for ever (empty() false while no item can be taken)
            settleIfHolderDied(tail, producers, data);
            settleIfHolderDied(head, consumers, space);
            return Math.max(0, tail.count() - head.count());
        } finally {
            leave();
        }
    }

    /** The item limit this queue was created with; 0 for none. */
    public long maxsize() {
        return maxsize;
    }

    /**
     * Marks one more put item as processed; items producers hold while the queue is full count as put (their
     * {@code put} returned), as for {@link #join}.
     *
     * @return false (and changes nothing) if every put item is already marked
     * @throws IllegalStateException if this object is closed
     */
    public boolean taskDone() {
        enter();
        try {
            for (;;) {
                long done = (long) LONG.getVolatile(segment, QueueLayout.TASKS_DONE);
                // NOTE: putsSeen only lags the producers' count: the cache line they write is read only
                // when it would refuse.
                if (done >= putsSeen && done >= (putsSeen = tail.count()) && done >= putsWithBuffered()) {
                    return false;
                }
                if (LONG.compareAndSet(segment, QueueLayout.TASKS_DONE, done, done + 1)) {
                    // NOTE: a joiner waits for done >= puts; while done + 1 < putsSeen <= puts it still
                    // waits, so only a taskDone that may have finished the last task wakes it (one wake per
                    // join instead of one per item while it drains). The CAS was the signal's full fence.
                    if (done + 1 >= putsSeen) {
                        tasks.signalAfterFence();
                    }
                    return true;
                }
            }
        } finally {
            leave();
        }
    }

    /**
     * Items put so far, those producers still hold while the queue is full included (their {@code put}
     * returned: CPython counts them at put), less those of producers that died (lost): the most tasks that can
     * be done. For {@link #taskDone} only when the published count alone refuses. Buffered before puts, as in
     * {@link #allDone}: an item a feeder publishes in between counts twice (one call too many let through in
     * that race) rather than in neither (a legal call refused).
     */
    private long putsWithBuffered() {
        long buffered = counts.total();
        if (buffered <= 0) {
            return tail.count();
        }
        if (counts.recoverDead(false)) {
            buffered = counts.total();
        }
        return tail.count() + buffered;
    }

    /**
     * Waits until every item put so far is marked done, or {@code deadline}; items producers still hold
     * while the queue is full count as put.
     *
     * @return false if the deadline passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if this object is closed
     */
    public boolean join(long deadline) throws InterruptedException {
        enter();
        try {
            // NOTE: items buffered in producers count as put: put() accepted them (CPython counts them at put)
            // NOTE: but not those of a producer that died: they are lost, and taken back (BufferedCounts)
            for (;;) {
                if (tasks.await(this::allDone, recoveryCheckOrDeadline(deadline), cancellation)) {
                    return true;
                }
                if (deadline - System.nanoTime() <= 0) {
                    return false;
                }
                counts.recoverDead(false);
                settleIfHolderDied(tail, producers, data); // NOTE: a producer killed mid-publish counted a phantom put
            }
        } finally {
            leave();
        }
    }

    private boolean allDone() {
        long done = (long) LONG.getVolatile(segment, QueueLayout.TASKS_DONE);
        // NOTE: buffered before puts: a feeder publishes puts + 1, then buffered - 1; read the other way round,
        // an item published in between would count in neither, and join would return with it unfinished
        long buffered = counts.total();
        return done >= tail.count() + buffered;
    }

    /** The pid holding the producer lock, 0 if free (a snapshot; tests use it). */
    public int producerLockOwner() {
        return producers.owner();
    }

    /** The pid holding the consumer lock, 0 if free (a snapshot; tests use it). */
    public int consumerLockOwner() {
        return consumers.owner();
    }

    /** The file's path: what another process passes to {@link #attach}. */
    public Path path() {
        return file.path();
    }

    /** Removes the file's name; mapped copies keep working. Idempotent; true if this call removed it. */
    public boolean unlink() throws IOException {
        return file.unlink();
    }

    /** True once {@link #close()} was called on this object. */
    public boolean isClosed() {
        return calls.closing();
    }

    /**
     * Ends this process's use of the file: threads of this object blocked in it throw
     * {@link IllegalStateException} within a futex slice (releasing any queue lock they held), then the
     * file is unmapped. Idempotent; does not unlink.
     */
    @Override
    public void close() {
        if (calls.closing()) {
            return;
        }
        calls.beginClose();
        try {
            data.wakeAll();
            space.wakeAll();
            tasks.wakeAll();
            producers.wakeAll();
            consumers.wakeAll();
        } catch (IllegalStateException unmapped) {
            // another thread's close got there first
        } catch (InternalError truncated) {
            // NOTE: the file was truncated under the mapping (SIGBUS reported by HotSpot): nobody to wake
        }
        calls.awaitNoCalls();
        Futex.forgetOwner(file.segment());
        file.close();
    }

    private void enter() {
        if (!calls.enter()) {
            throw closedException();
        }
    }

    private void leave() {
        calls.leave();
    }

    private void ensureOpen() {
        if (calls.closing()) {
            throw closedException();
        }
    }

    /**
     * Makes every wait of this process on this queue end with {@link org.multiprocessing4j.ManagerUnavailableException}
     * once the process {@code stamp} (the manager that made the queue) is gone: {@link Futex#watchOwner}, checked
     * before each futex slice, so within 20-100 ms of its end. Other calls are not affected.
     */
    public void watchOwner(ProcessStamp stamp) {
        Futex.watchOwner(file.segment(), stamp, "queue");
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("queue " + file.path().getFileName() + " is closed");
    }

    @Override
    public String toString() {
        return "SharedQueue[" + file.path().getFileName() + ", capacity " + capacity + ", maxsize " + maxsize
                + (calls.closing() ? ", closed]" : "]");
    }

    /** See {@link SharedFile#markDamaged()}. */
    public void markDamaged() {
        file.markDamaged();
    }
}
