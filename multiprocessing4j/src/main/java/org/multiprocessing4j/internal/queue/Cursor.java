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
 *  +0 position (long)   +8 count (long)   +16 pending (long, 0 or 1)
 * +24 next position     +32 count before  +40 count after              (the journal)
 * </pre>
 */
/*
 * Implementation notes
 *
 * advance(p, c): journal (next position p, count before, count after c), then pending = 1 (release),
 * count = c (release), position = p (release), pending = 0 (release). The count moves before the
 * position so that whoever sees a published item through the position also sees it counted: a consumer
 * that took an item calls taskDone, which must find puts > tasks done.
 *
 * repair(), by a holder that took the mutex over from a dead one: with pending == 0 the dead holder was
 * not between the two stores (nothing to do); with pending == 1 the journal is whole (written before
 * pending), and the position says how far it got: position == next position → the move happened, the
 * count must be "after"; otherwise it did not, and the count goes back to "before". Either way the
 * two agree again. The dead holder's stores are all visible: it is dead.
 */
final class Cursor {
    private static final long POSITION = 0;
    private static final long COUNT = 8;
    private static final long PENDING = 16;
    private static final long NEXT_POSITION = 24;
    private static final long COUNT_BEFORE = 32;
    private static final long COUNT_AFTER = 40;

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

    /** Moves to {@code position} and {@code count} (the mutex holder only). */
    void advance(long position, long count) {
        file.set(java.lang.foreign.ValueLayout.JAVA_LONG, base + NEXT_POSITION, position);
        file.set(java.lang.foreign.ValueLayout.JAVA_LONG, base + COUNT_BEFORE, count());
        file.set(java.lang.foreign.ValueLayout.JAVA_LONG, base + COUNT_AFTER, count);
        // NOTE: release: the journal is whole before pending says it applies.
        LONG.setRelease(file, base + PENDING, 1L);
        // NOTE: count before position: an item visible through the position is already counted.
        LONG.setRelease(file, base + COUNT, count);
        // NOTE: release: the data written before this store is visible to whoever reads the position.
        LONG.setRelease(file, base + POSITION, position);
        LONG.setRelease(file, base + PENDING, 0L);
    }

    /** Makes position and count agree after the previous holder died; returns true if it changed something. */
    boolean repair() {
        if ((long) LONG.getAcquire(file, base + PENDING) == 0) {
            return false;
        }
        boolean moved = position() == file.get(java.lang.foreign.ValueLayout.JAVA_LONG, base + NEXT_POSITION);
        long count = file.get(java.lang.foreign.ValueLayout.JAVA_LONG, base + (moved ? COUNT_AFTER : COUNT_BEFORE));
        LONG.setRelease(file, base + COUNT, count);
        LONG.setRelease(file, base + PENDING, 0L);
        return true;
    }
}
