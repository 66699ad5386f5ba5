package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.LONG;

import java.lang.foreign.MemorySegment;

/**
 * One side's progress through a queue file: a byte position (tail for producers, head for consumers)
 * and an item count (puts, gets), both only growing, moved together by the holder of that side's
 * {@link RobustMutex} through a small journal, so that a holder killed between the two stores leaves
 * nothing the next holder cannot {@link #repair}. Not thread-safe by itself: the mutex serializes movers;
 * anyone may read.
 *
 * <pre>
 *  +0 position (long)   +8 count (long)   +16 pending: the position being moved to, 0 if none (long)
 * +24 count before the pending move (long)
 * </pre>
 */
/*
 * Implementation notes
 *
 * advanceItem(p, c) moves over one item, count c → c + 1: count before = c (plain), pending = p (release;
 * never 0, a move always goes forward from 0), count = c + 1 (release), position = p (release), pending =
 * 0 (release): five stores, four of them ordered. The count moves before the position so that whoever
 * sees a published item through the position also sees it counted: a consumer that took an item calls
 * taskDone, which must find puts > tasks done.
 *
 * advancePosition(p) moves over a PAD, which is not an item: one release store of the position, nothing to
 * journal (a single aligned long store is all or nothing).
 *
 * repair(), by a holder that took the mutex over from a dead one: with pending == 0 the dead holder was
 * not between the two stores (nothing to do); otherwise the journal is whole (count before was stored
 * before pending, and pending is the target), and the position says how far it got: position == pending
 * → the move happened, the count must be before + 1; otherwise it did not, and the count goes back to
 * before. Either way the two agree again. The dead holder's stores are all visible: it is dead.
 */
final class Cursor {
    private static final long POSITION = 0;
    private static final long COUNT = 8;
    private static final long PENDING = 16;
    private static final long COUNT_BEFORE = 24;

    private final MemorySegment file;
    private final long base;

    Cursor(MemorySegment file, long base) {
        this.file = file;
        this.base = base;
    }

    /** The position, read with acquire: data before it is published. */
    long position() {
        return (long) LONG.getAcquire(file, base + POSITION);
    }

    /** The count, read with acquire. */
    long count() {
        return (long) LONG.getAcquire(file, base + COUNT);
    }

    /** Moves over one item to {@code position}, the count from {@code count} (the current one) to one more (mutex holder only). */
    void advanceItem(long position, long count) {
        LONG.set(file, base + COUNT_BEFORE, count);
        // NOTE: release: the journal is whole before pending says it applies.
        LONG.setRelease(file, base + PENDING, position);
        // NOTE: count before position: an item visible through the position is already counted.
        LONG.setRelease(file, base + COUNT, count + 1);
        // NOTE: release: the data written before this store is visible to whoever reads the position.
        LONG.setRelease(file, base + POSITION, position);
        LONG.setRelease(file, base + PENDING, 0L);
    }

    /** Moves to {@code position} without changing the count (over a PAD; mutex holder only). */
    void advancePosition(long position) {
        LONG.setRelease(file, base + POSITION, position);
    }

    /**
     * True if a move over an item is journalled and its position store has not happened: its mover is
     * between the stores now, or died there (then the count may already say one item more than the position
     * shows, until {@link #repair} by the next holder). One acquire load when no move is pending; anyone may ask.
     */
    boolean moveUnfinished() {
        long pending = (long) LONG.getAcquire(file, base + PENDING);
        return pending != 0 && position() != pending;
    }

    /** Makes position and count agree after the previous holder died; returns true if it changed something. */
    boolean repair() {
        long pending = (long) LONG.getAcquire(file, base + PENDING);
        if (pending == 0) {
            return false;
        }
        long before = (long) LONG.get(file, base + COUNT_BEFORE);
        LONG.setRelease(file, base + COUNT, position() == pending ? before + 1 : before);
        LONG.setRelease(file, base + PENDING, 0L);
        return true;
    }
}
