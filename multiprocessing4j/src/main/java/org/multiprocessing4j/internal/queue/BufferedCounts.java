package org.multiprocessing4j.internal.queue;

import static org.multiprocessing4j.internal.queue.QueueLayout.LONG;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.multiprocessing4j.internal.sync.OwnerWord;

/**
 * How many items producers hold for a queue while its data area is full (their feeders' items, see
 * {@link QueueFeeder}), counted per process in the queue file so that the count of a process that died
 * holding some (SIGKILL, a crash) can be taken back: its items are lost, and must neither hold their places
 * under {@code maxsize} nor keep a {@code JoinableQueue}'s {@code join()} waiting for ever (CPython's
 * queue loses those places and hangs that join). Thread-safe; any process.
 *
 * <pre>
 *  table at QueueLayout.BUFFERED: SLOTS entries of 16 bytes
 *      | owner (long): OwnerWord of the process, 0 free, RECOVERING | count (long): its items |
 *  then (QueueLayout.BUFFERED_OVERFLOW): | entries ever claimed (long) | overflow count (long) |
 * </pre>
 */
/*
 * Implementation notes
 *
 * Only the owner process changes its entry's count (an atomic add: its putting threads and its feeder
 * thread, through any of its mappings); the total is the sum of the counts, read fresh. A process claims
 * a free entry by a CAS of the owner from 0 to its word, the first time it counts an item, and keeps it for
 * its life (entries of processes that ended are freed when an entry is wanted), and raises the high-water
 * mark of entries ever claimed (a CAS to the max) before it counts in its entry, so a reader that sums the
 * entries below the mark misses none that holds a count. Taking back a dead owner's entry: CAS the owner from its word to RECOVERING (one recoverer
 * wins), zero the count, then free the entry (owner 0, release). A claimer CASes only from 0, so it never
 * adds to a count that is about to be zeroed. A process may come to hold two entries (two of its threads
 * claiming at once): harmless, the sum is the same and both are taken back at its death. When every entry
 * is held by a live process, a process counts in the overflow count after the table, never taken back;
 * it then does so through all its mappings of the file (OVERFLOWED), never splitting its count.
 */
final class BufferedCounts {
    /** Entries in the table: processes that can have items buffered at once with their counts recoverable. */
    static final int SLOTS = 48;
    static final long ENTRY_BYTES = 16;
    /** An owner word no process has: the entry is being taken back. */
    private static final long RECOVERING = -1L;

    /** Queue files (by path) for which this process counts in the overflow: all its mappings must. */
    private static final Set<String> OVERFLOWED = ConcurrentHashMap.newKeySet();

    private final MemorySegment file;
    private final long table;
    private final long overflow;
    private final String key;
    /** This process's entry, once it has one (offset of the owner word), else -1. */
    private volatile long mine = -1;

    /**
     * The counts of the queue file mapped at {@code file}.
     *
     * @param key the queue file's path: what this process's mappings of it have in common
     */
    BufferedCounts(MemorySegment file, long table, long overflow, String key) {
        this.file = file;
        this.table = table;
        this.overflow = overflow;
        this.key = key;
    }

    /** Adds {@code delta} to this process's count (claiming an entry first if it has none). */
    void add(long delta) {
        long entry = mine;
        if (entry < 0) {
            entry = claim();
        }
        long ignored = (long) LONG.getAndAdd(file, entry + 8, delta);
    }

    /** The sum of every process's count (the overflow's included); a snapshot, at least 0. */
    long total() {
        long sum = (long) LONG.getVolatile(file, overflow + 8);
        for (int i = 0, used = used(); i < used; i++) {
            sum += (long) LONG.getVolatile(file, table + i * ENTRY_BYTES + 8);
        }
        return Math.max(0, sum);
    }

    /**
     * Takes back the counts of dead processes (their items died with them).
     *
     * @param evenEmpty also free the entries of dead processes whose count is 0 (to claim one), not only
     *        those whose count matters
     * @return true if it took any back
     */
    boolean recoverDead(boolean evenEmpty) {
        boolean any = false;
        for (int i = 0, used = used(); i < used; i++) {
            long entry = table + i * ENTRY_BYTES;
            long owner = (long) LONG.getVolatile(file, entry);
            if (owner == 0 || owner == RECOVERING || owner == OwnerWord.SELF
                    || !evenEmpty && (long) LONG.getVolatile(file, entry + 8) == 0 || !OwnerWord.isDead(owner)) {
                continue;
            }
            if (LONG.compareAndSet(file, entry, owner, RECOVERING)) {
                LONG.setVolatile(file, entry + 8, 0L);
                LONG.setRelease(file, entry, 0L);
                any = true;
            }
        }
        return any;
    }

    /** Entries ever claimed are below this (a high-water mark, in the overflow's first word): most queues never buffer. */
    private int used() {
        return (int) Math.min(SLOTS, (long) LONG.getVolatile(file, overflow));
    }

    private void raiseUsed(int atLeast) {
        long seen;
        while ((seen = (long) LONG.getVolatile(file, overflow)) < atLeast && !LONG.compareAndSet(file, overflow, seen, (long) atLeast)) {
            Thread.onSpinWait();
        }
    }

    /** Finds this process's entry, or claims a free one (or a dead owner's, taken back), else the overflow. */
    private synchronized long claim() {
        if (mine >= 0) {
            return mine;
        }
        if (OVERFLOWED.contains(key)) {
            mine = overflow;
            return overflow;
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < SLOTS; i++) {
                long entry = table + i * ENTRY_BYTES;
                long owner = (long) LONG.getVolatile(file, entry);
                if (owner == OwnerWord.SELF || owner == 0 && LONG.compareAndSet(file, entry, 0L, OwnerWord.SELF)) {
                    raiseUsed(i + 1);
                    mine = entry;
                    return entry;
                }
            }
            recoverDead(true); // NOTE: every entry held: free those of dead processes and look again
        }
        // NOTE: for every mapping of this process: one counting in the overflow and another in a table entry
        // freed later would split the process's count, and its death would leave the overflow's part behind
        OVERFLOWED.add(key);
        mine = overflow;
        return overflow;
    }
}
