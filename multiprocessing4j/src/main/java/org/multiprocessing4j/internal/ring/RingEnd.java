package org.multiprocessing4j.internal.ring;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.multiprocessing4j.internal.ring.RingLayout.ATTACHED;
import static org.multiprocessing4j.internal.ring.RingLayout.CLAIMING;
import static org.multiprocessing4j.internal.ring.RingLayout.CLOSED;
import static org.multiprocessing4j.internal.ring.RingLayout.END_PID;
import static org.multiprocessing4j.internal.ring.RingLayout.END_STAMP_WRITES;
import static org.multiprocessing4j.internal.ring.RingLayout.END_START;
import static org.multiprocessing4j.internal.ring.RingLayout.END_STATE;
import static org.multiprocessing4j.internal.ring.RingLayout.FREE;
import static org.multiprocessing4j.internal.ring.RingLayout.INT;
import static org.multiprocessing4j.internal.ring.RingLayout.LONG;
import static org.multiprocessing4j.internal.ring.RingLayout.RESERVED;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.futex.Futex;
import org.multiprocessing4j.internal.futex.Membarrier;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * What the two ends of an {@link SpscRing} share: the claim of an end in the header, the adaptive wait,
 * the wake of the peer, peer-death detection, and close.
 */
/*
 * Implementation notes
 *
 * Waiting (await). Spin first: re-check ready() with Thread.onSpinWait() for spinNanos, an adaptive
 * budget (SPIN_MIN..SPIN_MAX) that grows when spinning succeeded and halves when it did not, so an idle
 * end soon stops burning a core and a busy ping-pong keeps its sub-microsecond hand-off; on a 2-vCPU
 * machine with a third busy thread spinning fails and the budget collapses by itself. Then sleep on this
 * end's futex in bounded slices, re-checking the closed flag and the interrupt status before each slice,
 * and the peer's liveness after each slice that timed out. Slices start at FIRST_SLICE_NANOS (a waiter
 * that just blocked notices a death within 20 ms) and double while nothing happens, up to
 * MAX_SLICE_NANOS, because each timed wake-up costs CPU: an idle waiter wakes 10 times a second.
 *
 * Futex protocol (a Dekker handshake over three words per direction: sequence, sleepers and armed).
 *   sleeper: s = sequence (volatile) ; armed = s (volatile) ; sleepers += 1 (atomic, full fence) ; membarrier ;
 *            if ready() → done, else FUTEX_WAIT(sequence, s, slice) ; sleepers -= 1
 *   waker:   publish (a release store of tail/head/state) ; [fullFence] ;
 *            if sleepers != 0 → a = armed ; if CAS(sequence, a, a + 1) → FUTEX_WAKE(sequence, all)
 * Both sides store then load with a store→load barrier between, so at least one sees the other: either the
 * waker sees the sleeper registered, or the sleeper's ready() sees what was published and does not sleep.
 * A waker that sees the registration also sees the armed value stored before it (or a later one), and
 * either moves the sequence past it and wakes, or finds the sequence already past it: then whoever moved
 * it woke the sleeper, or the sleeper's FUTEX_WAIT(sequence, s) returns EAGAIN at once (the kernel
 * compares the word under the bucket lock). The sequence only grows, so a sleeper that armed an older
 * value than the waker read does not sleep either. Hence one FUTEX_WAKE per arming: the publications
 * made while a woken sleeper is still on its way out of FUTEX_WAIT skip the system call (a worker
 * answering chunksize-1 tasks issued 4-5 wakes per sleep of its pool's relay, each a few microseconds of
 * kernel time on this VM, before "armed"). A stale sleepers count only costs a needless check; the waker
 * never issues FUTEX_WAKE while nobody sleeps. One armed word assumes at most one sleeper per futex: one
 * thread at a time reads and one writes (RingConnection holds each direction's lock for the whole blocking
 * call, an end belongs to one process by its claim, and close never sleeps). Two sleepers on one word could
 * overwrite each other's armed value and lose a wake for a slice. Every sleep is a bounded slice: a lost wake (or
 * a peer that died before waking us) costs at most one slice, and an interrupt is seen within one slice.
 *
 * The waker's barrier is asymmetric (as RobustLock's release): in a process registered for membarrier(2)
 * (Membarrier.REGISTERED) the waker issues no fence instruction, only program order, and the sleeper's
 * global membarrier, issued after its registration and before its re-check, orders the waker's store→load
 * pair for it (Membarrier's notes give the proof). The waker's fence was its cost per message: it waited
 * for the tail's cache line to come back from the reader's core (64-byte messages between two processes:
 * about 3.3 M/s with the fence, 11-14 M/s without, on the 2-vCPU VM of DESIGN.md). A barrier costs the
 * sleeper 1.5-7 µs and interrupts the CPUs running registered threads, so it is not paid on every sleep:
 * the first sleep of a wait skips it, re-checks ready() for DRAIN_WINDOW_NANOS after registering (a
 * store still in a waker's store buffer is visible long before that ends) and sleeps at most
 * UNFENCED_SLICE_NANOS (200 µs); the sleeps after it issue the barrier. So a wake-up is never lost for
 * longer than 200 µs, and practically never at all, while a ping-pong that sleeps on each turn pays no
 * barrier (paying one per sleep slowed 20,000-round-trip runs of pickled ints from 2 µs to 24-68 µs p50).
 * But a wait that outlasts the unfenced slice pays twice: a timed wake-up after 200 µs (a timer interrupt, a
 * context switch, often a running thread preempted), then the barrier anyway. So an end whose last wait slept
 * that long (lastWaitLong: a pool's relay between answers of tasks longer than 200 µs, a consumer of a
 * trickle) issues the barrier before its first sleep; a wait that spins to its end, or sleeps less, clears
 * it. Messages 1 ms apart cost their blocked reader 58-68 µs of CPU each instead of 88-93 µs (300 µs
 * apart: 35-43 instead of 58-60), and a Pool(2) of 5 ms tasks made 28% fewer wake-ups machine-wide.
 * A sleeper issues the barrier whenever the kernel offers it, so a waker in an unregistered process
 * (which keeps its fence) stays correct. If the kernel refuses a barrier (never expected), that sleep is
 * cut to UNFENCED_SLICE_NANOS. A process that cannot issue barriers at all (a kernel without them: then no
 * process registered and every waker fences) sleeps in normal slices; only a process denied membarrier alone
 * (a per-process seccomp filter) while its peer registered could miss a wake for one slice (20-100 ms).
 * With the safety net off (the stress tests), every sleep issues the barrier: the exact protocol, which the
 * weakenings then break.
 *
 * Peer death. A peer killed by SIGKILL never marks its end CLOSED. After each slice that timed out the
 * sleeper reads the peer's pid and start time (recorded when it claimed its end) and asks a pidfd whether
 * it still runs (ProcessWatch, ~0.5 µs); a dead peer then counts as closed. A reader's poll whose timeout
 * ends before such a slice (poll() has none) looks once before it answers false (peerGoneNow), so polling
 * alone sees a killed writer as EOF. An end that is still FREE has no peer to watch yet, so a reader keeps
 * waiting for a writer that has not attached. A RESERVED end is
 * watched like an ATTACHED one: the process it was handed to, which never used it, ending (Python's last
 * copy of a pipe end closing with its process) is the peer's EOF. Its stamp can change (handed on), so it
 * is read as a seqlock: stamp writes (even) before, pid and start, stamp writes again after an acquire
 * fence; a change, or an odd count, means a stamp was being written, and the watch waits for the next
 * slice. Reservation and claim write the count odd, the stamp, then the count even (release), all while
 * the state is CLAIMING, which only one process holds; within a JVM RESERVATIONS serializes them, since
 * only the reserved process may move its own reservation. A CLAIMING end whose stamp is set is watched
 * too (its stamp is the process in CLAIMING), so a holder killed while it claims or hands on is seen
 * dead. A holder seen dead counts only if it still holds the end when re-read: it may have handed the
 * reservation on and exited between the read and the question.
 *
 * Stress tests (multiprocessing4j/STRESS.md) run this protocol with the safety net of bounded slices off,
 * and prove they catch each hazard named above by switching on a weakened variant (RingWeakening).
 *
 * Close. close() marks this end closed locally (volatile) and in the header (release, after everything
 * it published), then bumps both sequences and wakes both futexes unconditionally: the peer learns the end
 * is closed, and a thread of ours blocked in this end leaves its slice and throws
 * AsynchronousCloseException. The ring unmaps only after that (SharedFile.close retries while a thread
 * is still inside FUTEX_WAIT, which holds the mapping).
 */
abstract sealed class RingEnd implements AutoCloseable permits SpscReader, SpscWriter {
    /** The first futex sleep of a wait; each one that times out doubles the next, up to the maximum. */
    static final long FIRST_SLICE_NANOS = RingWeakening.NO_SAFETY_NET
            ? RingWeakening.LONG_SLICE_NANOS : TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Longest futex sleep: the most a long-idle waiter takes to notice its peer's death or an interrupt.
     * Every timed wake-up costs CPU (0.1-0.25 ms measured on the 2-vCPU VM of DESIGN.md), so an idle
     * waiter wakes at most 10 times a second.
     */
    static final long MAX_SLICE_NANOS = RingWeakening.NO_SAFETY_NET
            ? RingWeakening.LONG_SLICE_NANOS : TimeUnit.MILLISECONDS.toNanos(100);
    /** Wakers store then read the sleeper count without a fence: sleepers' membarriers order them (see the notes). */
    private static final boolean FENCELESS_WAKE = Membarrier.REGISTERED;
    /** A sleep's longest slice without the sleeper's membarrier: bounds a wake missed for want of it. */
    private static final long UNFENCED_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Whether wakers may be fenceless (some process of the tree registered for membarrier): sleepers then order them. */
    private static final boolean FENCELESS_WAKE_EXPECTED = Membarrier.AVAILABLE;
    /** How long a sleeper re-checks after registering before an unfenced sleep: many store-buffer drains. */
    private static final long DRAIN_WINDOW_NANOS = 1_000;
    static final long SPIN_MIN_NANOS = 1_000;
    static final long SPIN_MAX_NANOS = 50_000;
    static final long SPIN_INITIAL_NANOS = 20_000;
    /** A wait that slept but ended within this raises the spin budget to twice its length (at most this). */
    static final long SPIN_RECOVER_NANOS = 10_000;
    /** "Forever" as a relative wait: 2^62 ns, about 146 years; keeps deadline arithmetic from overflowing. */
    static final long FOREVER_NANOS = 1L << 62;
    /** Serializes this JVM's claims and reservations of ring ends (see the notes on peer death). */
    private static final Object RESERVATIONS = new Object();

    final SpscRing ring;
    final MemorySegment file;
    final int capacity;
    final long mask;
    private final long ownEnd;
    private final long peerEnd;
    private final long sleepSequence;
    private final long sleepers;
    private final long wakeSequence;
    private final long wakeSleepers;
    /** The sequence this end's sleepers last armed (read before registering); the peer's, for waking. */
    private final long sleepArmed;
    private final long wakeArmed;
    volatile boolean closed;
    /** Set by the operating thread once the peer's process is known dead; never reset. */
    boolean peerDead;
    private ProcessWatch peerWatch;
    /** The process {@link #peerWatch} watches. */
    private ProcessStamp watched;
    private long spinNanos = SPIN_INITIAL_NANOS;
    /** Whether this end's last wait slept past an unfenced slice: the next one then sleeps fenced at once. */
    private boolean lastWaitLong;

    RingEnd(SpscRing ring, long ownEnd, long peerEnd, long sleepSequence, long sleepers, long sleepArmed, long wakeSequence,
            long wakeSleepers, long wakeArmed) {
        this.ring = ring;
        this.file = ring.segment();
        this.capacity = ring.capacity();
        this.mask = capacity - 1L;
        this.ownEnd = ownEnd;
        this.peerEnd = peerEnd;
        this.sleepSequence = sleepSequence;
        this.sleepers = sleepers;
        this.wakeSequence = wakeSequence;
        this.wakeSleepers = wakeSleepers;
        this.sleepArmed = sleepArmed;
        this.wakeArmed = wakeArmed;
    }

    /**
     * Records {@code me} as the process of the end at {@code end}: FREE → CLAIMING → ATTACHED, or
     * RESERVED → CLAIMING → ATTACHED when the end was reserved for {@code me}.
     *
     * @throws IllegalStateException if the end is already taken, reserved for another process, or closed
     */
    static void claim(MemorySegment file, long end, ProcessStamp me, String what) {
        synchronized (RESERVATIONS) {
            if (!INT.compareAndSet(file, end + END_STATE, FREE, CLAIMING) && !takeOwnReservation(file, end, me)) {
                int state = (int) INT.getAcquire(file, end + END_STATE);
                throw new IllegalStateException(what + " is " + switch (state) {
                    case ATTACHED -> "already attached by " + stamp(file, end);
                    case CLOSED -> "closed";
                    case RESERVED -> "reserved for " + stamp(file, end) + ", the process it was handed to";
                    default -> "being attached by another process (state " + state + ")";
                });
            }
            writeStamp(file, end, me, ATTACHED);
        }
    }

    /**
     * Reserves the end at {@code end} for {@code child}, the process it is being handed to in a run order:
     * FREE → RESERVED, or, if it is reserved for {@code me} (a process handing on an end it never used),
     * RESERVED → RESERVED for {@code child}. Anything else (attached, closed, reserved for another) is left
     * as it is.
     *
     * @return true if the end is now reserved for {@code child}
     */
    static boolean reserve(MemorySegment file, long end, ProcessStamp me, ProcessStamp child) {
        synchronized (RESERVATIONS) {
            if (!INT.compareAndSet(file, end + END_STATE, FREE, CLAIMING) && !takeOwnReservation(file, end, me)) {
                return false;
            }
            writeStamp(file, end, child, RESERVED);
            return true;
        }
    }

    /**
     * Moves the reservation of the end at {@code end} from {@code child}, a process that never received its
     * run order (its start failed), back to {@code me}: RESERVED for {@code child} → RESERVED for {@code me}.
     * Anything else is left as it is.
     *
     * @return true if the end is now reserved for {@code me}
     */
    static boolean takeBackReservation(MemorySegment file, long end, ProcessStamp child, ProcessStamp me) {
        synchronized (RESERVATIONS) {
            if (!takeOwnReservation(file, end, child)) {
                return false;
            }
            writeStamp(file, end, me, RESERVED);
            return true;
        }
    }

    /**
     * Closes the end at {@code end} if it is still reserved for {@code gone}, a process that ended without
     * claiming it (only that process could have claimed or handed on the reservation): RESERVED → CLOSED,
     * and the peer is woken to see it at once rather than at its next look at {@code gone}'s liveness.
     *
     * @return true if it closed the end
     */
    static boolean closeReservation(MemorySegment file, long end, ProcessStamp gone) {
        synchronized (RESERVATIONS) {
            if (!takeOwnReservation(file, end, gone)) {
                return false;
            }
            INT.setRelease(file, end + END_STATE, CLOSED);
        }
        VarHandle.fullFence();
        for (long sequence : new long[] {RingLayout.DATA_SEQUENCE, RingLayout.SPACE_SEQUENCE}) {
            int before = (int) INT.getAndAdd(file, sequence, 1);
            Futex.wake(file, sequence, Integer.MAX_VALUE);
        }
        return true;
    }

    /** RESERVED → CLAIMING if the reservation is {@code me}'s (RESERVATIONS held: nobody else moves it). */
    private static boolean takeOwnReservation(MemorySegment file, long end, ProcessStamp me) {
        return (int) INT.getAcquire(file, end + END_STATE) == RESERVED && stamp(file, end).equals(me)
                && INT.compareAndSet(file, end + END_STATE, RESERVED, CLAIMING);
    }

    /** Writes {@code who} under the seqlock and publishes {@code state} (the end is CLAIMING, ours). */
    private static void writeStamp(MemorySegment file, long end, ProcessStamp who, int state) {
        long writes = (long) LONG.getVolatile(file, end + END_STAMP_WRITES);
        LONG.setVolatile(file, end + END_STAMP_WRITES, writes + 1); // NOTE: odd: a stamp is being written
        VarHandle.storeStoreFence(); // NOTE: the odd count is visible before any byte of the new stamp
        file.set(JAVA_LONG, end + END_PID, who.pid());
        file.set(JAVA_LONG, end + END_START, who.startMillis());
        // NOTE: release: a reader of the new count, or of the state (acquire), reads pid and start whole.
        LONG.setRelease(file, end + END_STAMP_WRITES, writes + 2);
        INT.setRelease(file, end + END_STATE, state);
    }

    /**
     * The stamp of the process that holds or was handed the end at {@code end}, read whole; null if the
     * end is neither ATTACHED, RESERVED nor CLAIMING by a stamped process, or a stamp was being written
     * (try again later).
     */
    private static ProcessStamp holder(MemorySegment file, long end) {
        long before = (long) LONG.getAcquire(file, end + END_STAMP_WRITES);
        int state = (int) INT.getAcquire(file, end + END_STATE);
        if ((before & 1) != 0 || (state != ATTACHED && state != RESERVED && state != CLAIMING)) {
            return null;
        }
        // NOTE: a CLAIMING end with a stamp is held by the process stamped: only the process a reservation
        // names takes it to CLAIMING (to claim it or hand it on), and a claim from FREE writes its own stamp
        // before it leaves CLAIMING. Watched, so that a holder killed there is seen dead (no stamp yet: FREE's
        // zeros, nobody to watch).
        if (file.get(JAVA_LONG, end + END_PID) <= 0) {
            return null;
        }
        ProcessStamp who = stamp(file, end);
        VarHandle.acquireFence(); // NOTE: the reads of pid and start stay before the second read of the count
        return (long) LONG.getAcquire(file, end + END_STAMP_WRITES) == before ? who : null;
    }

    static ProcessStamp stamp(MemorySegment file, long end) {
        return new ProcessStamp(file.get(JAVA_LONG, end + END_PID), file.get(JAVA_LONG, end + END_START));
    }

    /** True when the peer's end is CLOSED, or its process is known to be dead. */
    final boolean peerGone() {
        return peerDead || (int) INT.getAcquire(file, peerEnd + END_STATE) == CLOSED;
    }

    /**
     * {@link #peerGone()}, after looking at the peer's process now (a pidfd poll, about 0.5 µs) instead of
     * at the end of the next futex slice that times out. For a caller about to report that nothing can be
     * read, whose wait was too short to reach such a slice.
     */
    final boolean peerGoneNow() {
        // NOTE: at most once per PEER_LOOK_NANOS: a pool worker polls after each short task, and a look per
        // empty poll (a synchronized seqlock read and a pidfd poll) would tax every one; a poll loop on a dead
        // peer still sees it gone within that time. A racy read of the time is harmless: one look more or less.
        long now = System.nanoTime();
        if (now - peerLookedAt >= PEER_LOOK_NANOS) {
            peerLookedAt = now;
            checkPeer();
        }
        return peerGone();
    }

    /** How often {@link #peerGoneNow} looks at the peer's process at most. */
    private static final long PEER_LOOK_NANOS = 1_000_000;
    /** When {@link #peerGoneNow} last looked ({@link System#nanoTime}); the first call looks. */
    private long peerLookedAt = System.nanoTime() - PEER_LOOK_NANOS;

    /** Who the peer is, for messages: its stamp once it attached or was reserved, else its state. */
    final String describePeer() {
        int state = (int) INT.getAcquire(file, peerEnd + END_STATE);
        String who = state == ATTACHED || state == CLOSED ? stamp(file, peerEnd).toString()
                : state == RESERVED ? "reserved for " + stamp(file, peerEnd) : "not attached";
        return who + (peerDead ? ", dead" : state == CLOSED ? ", closed" : "");
    }

    /** Re-reads the shared counters; true when the operation waiting in {@link #await} can go on. */
    abstract boolean ready();

    /** Throws if this end was closed before the operation began. */
    final void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Waits until {@link #ready()} (true) or {@code deadline} (a {@code System.nanoTime()} value; false).
     * Spins briefly, then sleeps on this end's futex in bounded slices; records the peer's death in
     * {@link #peerDead}, which {@code ready()} consults.
     *
     * @throws InterruptedException if interrupted before a slice (the registration is undone first)
     * @throws AsynchronousCloseException if this end is closed meanwhile
     */
    final boolean await(long deadline) throws InterruptedException, AsynchronousCloseException {
        long start = System.nanoTime();
        long spinEnd = start + spinNanos;
        for (;;) {
            if (ready()) {
                spinNanos = Math.min(SPIN_MAX_NANOS, spinNanos + (spinNanos >> 1));
                lastWaitLong = false;
                return true;
            }
            long now = System.nanoTime();
            if (now - spinEnd >= 0 || now - deadline >= 0) {
                break;
            }
            Thread.onSpinWait();
        }
        spinNanos = Math.max(SPIN_MIN_NANOS, spinNanos >> 1);
        long slice = FIRST_SLICE_NANOS;
        // NOTE: the stress tests (no safety net) run the exact protocol: a barrier before every sleep; so does a
        // wait that follows a long one (see the notes)
        boolean barrierDue = !FENCELESS_WAKE_EXPECTED || RingWeakening.NO_SAFETY_NET || lastWaitLong;
        for (;;) {
            if (closed) {
                throw new ClosedDuringUse();
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return ready();
            }
            // NOTE: read the sequence and arm it before registering (a waker that sees the registration sees
            // the armed value); register before re-checking, which pairs with wakePeer's fence, or with its
            // program order through the membarrier below (a publication our re-check misses then sees the registration).
            int sequence = (int) INT.getVolatile(file, sleepSequence);
            if (!RingWeakening.NO_ARM) {
                INT.setVolatile(file, sleepArmed, sequence);
            }
            int registered = (int) INT.getAndAdd(file, sleepers, 1);
            boolean readyNow;
            Futex.WaitResult result = null;
            try {
                long sleep = Math.min(remaining, slice);
                if (!barrierDue) {
                    sleep = Math.min(sleep, UNFENCED_SLICE_NANOS);
                } else if (Membarrier.AVAILABLE && !RingWeakening.NO_BARRIER && !Membarrier.globalBarrier()) {
                    sleep = Math.min(sleep, UNFENCED_SLICE_NANOS);
                }
                // NOTE: re-check after registering: a publication just before it did not wake us.
                readyNow = !RingWeakening.NO_RECHECK && ready();
                if (!barrierDue && !readyNow) {
                    readyNow = drainWindowPassed();
                }
                if (!readyNow && !closed) {
                    result = Futex.await(file, sleepSequence, sequence, sleep);
                }
            } finally {
                registered = (int) INT.getAndAdd(file, sleepers, -1);
            }
            if (readyNow) {
                return sleptButReady(start);
            }
            if (result == Futex.WaitResult.TIMED_OUT) {
                if (barrierDue) {
                    checkPeer();
                    slice = Math.min(MAX_SLICE_NANOS, slice << 1);
                }
                barrierDue = true;
            }
            if (ready()) {
                return sleptButReady(start);
            }
        }
    }

    /**
     * Re-checks {@link #ready()} for {@link #DRAIN_WINDOW_NANOS} before an unfenced sleep: long enough for
     * a publication still in a fenceless waker's store buffer to become visible, so that the first sleep
     * practically never misses one (and misses it for at most {@link #UNFENCED_SLICE_NANOS} when it does).
     */
    private boolean drainWindowPassed() {
        long end = System.nanoTime() + DRAIN_WINDOW_NANOS;
        do {
            Thread.onSpinWait();
            if (ready()) {
                return true;
            }
        } while (System.nanoTime() - end < 0);
        return false;
    }

    /**
     * Ready after giving up spinning. If the whole wait was short (under {@link #SPIN_RECOVER_NANOS}), a
     * spin of twice that would have caught it: raise the budget to that, no further. Without this, one bad
     * stretch (a preemption) halves the budget down to its floor, every short wait then pays a futex
     * wake-up, and the budget rarely climbs back (seen as a bimodal ping-pong). Longer waits leave the budget
     * alone, so an idle end still burns no CPU.
     */
    private boolean sleptButReady(long start) {
        long waited = System.nanoTime() - start;
        lastWaitLong = waited >= UNFENCED_SLICE_NANOS;
        if (waited < SPIN_RECOVER_NANOS) {
            spinNanos = Math.max(spinNanos, Math.min(SPIN_RECOVER_NANOS, 2 * waited));
        }
        return true;
    }

    /**
     * Makes what this end just published visible to a sleeping peer: wakes it if it sleeps.
     * Call after the release store that published.
     */
    final void wakePeer() {
        // NOTE: store→load: the publication must be visible before we read the peer's sleeper count. Without
        // a fence (FENCELESS_WAKE) program order suffices: a sleeper's membarrier stands in for the fence.
        if (!FENCELESS_WAKE && !RingWeakening.NO_WAKE_FENCE) {
            VarHandle.fullFence();
        }
        if (!RingWeakening.SKIP_WAKE && (int) INT.getVolatile(file, wakeSleepers) != 0) {
            // NOTE: only the first waker after an arming wakes: a sequence already past the armed value has
            // woken the sleeper (or makes its FUTEX_WAIT return at once), so later publications skip the
            // system call while the woken sleeper is still on its way out (see the notes).
            int armed = (int) INT.getVolatile(file, wakeArmed);
            if ((int) INT.getVolatile(file, wakeSequence) == armed
                    && INT.compareAndSet(file, wakeSequence, armed, armed + 1)) {
                Futex.wake(file, wakeSequence, Integer.MAX_VALUE);
            }
        }
    }

    private synchronized void checkPeer() {
        if (peerDead || closed) {
            return; // after close() the watch is closed; the caller throws AsynchronousCloseException
        }
        ProcessStamp holder = holder(file, peerEnd);
        if (holder == null) {
            return; // not attached or reserved yet (nobody to watch), closed (ready() sees that), or being written
        }
        if (peerWatch == null || !holder.equals(watched)) {
            if (peerWatch != null) {
                peerWatch.close(); // NOTE: a reservation handed on: watch the process it went to
            }
            peerWatch = ProcessWatch.open(holder);
            watched = holder;
        }
        // NOTE: a dead holder is the peer's death only if it still holds the end: it may have handed a
        // reservation on (to a grandchild) and exited between our read of the holder and the question.
        // Once dead it cannot hand on any more, so an unchanged holder after the answer is final.
        peerDead = !peerWatch.isAlive() && holder.equals(holder(file, peerEnd));
    }

    /**
     * Closes this end: the peer sees it closed (a reader after draining what was sent); a thread blocked
     * in this end throws {@link AsynchronousCloseException}. Idempotent, thread-safe, never blocks.
     */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // NOTE: release: after everything this end published; the peer reads CLOSED with acquire.
            INT.setRelease(file, ownEnd + END_STATE, CLOSED);
            VarHandle.fullFence();
            int before = (int) INT.getAndAdd(file, wakeSequence, 1);
            Futex.wake(file, wakeSequence, Integer.MAX_VALUE);
            before = (int) INT.getAndAdd(file, sleepSequence, 1);
            Futex.wake(file, sleepSequence, Integer.MAX_VALUE);
        } catch (IllegalStateException unmapped) {
            // the ring was closed first: nothing left to tell
        } catch (InternalError truncated) {
            // NOTE: the file was truncated under the mapping (SIGBUS reported by HotSpot): nobody to tell
        } finally {
            if (peerWatch != null) {
                peerWatch.close();
            }
        }
    }

    /**
     * What an access to the unmapped ring means: this end was closed (its ring unmapped) under a running
     * operation. Anything else is rethrown.
     */
    final AsynchronousCloseException closedMeanwhile(IllegalStateException unmapped) {
        if (!closed) {
            throw unmapped;
        }
        AsynchronousCloseException e = new ClosedDuringUse();
        e.initCause(unmapped);
        return e;
    }

    /** True once {@link #close()} was called on this end (in this process). */
    public final boolean isClosed() {
        return closed;
    }

    /** A deadline {@code timeout} from now; zero or negative means "try once", huge ones saturate. */
    static long deadline(Duration timeout) {
        long nanos;
        try {
            nanos = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException tooLong) {
            nanos = FOREVER_NANOS;
        }
        return System.nanoTime() + Math.min(nanos, FOREVER_NANOS);
    }

    static long forever() {
        return System.nanoTime() + FOREVER_NANOS;
    }
}
