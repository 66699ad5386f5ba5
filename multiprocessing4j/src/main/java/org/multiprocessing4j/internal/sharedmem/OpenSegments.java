package org.multiprocessing4j.internal.sharedmem;

import static org.multiprocessing4j.internal.sharedmem.SegmentLayout.INT;
import static org.multiprocessing4j.internal.sharedmem.SegmentLayout.LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.shm.ShmNames;

/**
 * This JVM's open {@link NamedSegment}s and its entries in their attachment tables. Every change to this
 * process's slots happens under the class lock, so threads of one JVM never race on a slot; other
 * processes only ever touch their own slots. At normal JVM exit the still-open segments are closed (which
 * may remove them, see the lifetime rule in {@link NamedSegment}); the root of a process tree then also
 * removes the unused segments its tree created ({@link SegmentRemoval#sweep(boolean)}). Thread-safe.
 */
public final class OpenSegments {
    private static final Set<NamedSegment> OPEN = new LinkedHashSet<>();
    private static boolean exitStepAdded;
    private static boolean swept;

    private OpenSegments() {
    }

    /**
     * Called before the first segment is created or attached in this JVM: sweeps the segments of ended
     * trees (the "next start" after a SIGKILL) and installs the exit step.
     */
    static void firstUse() {
        boolean sweep;
        synchronized (OpenSegments.class) {
            sweep = !swept;
            swept = true;
        }
        installExitStep();
        if (sweep) {
            SegmentRemoval.sweep(false);
            // NOTE: and the tree-tagged files (queues, locks, values) of dead trees, which a root otherwise sweeps only
            // when it makes one of its own: a program that uses only SharedMemory would never remove them
            ShmNames.sweepOnce();
        }
    }

    /**
     * Installs (once) the exit step that closes this JVM's open segments and, in the root of a process
     * tree, removes the unused segments of the tree. Called by the first use of a segment here, and by a
     * root that creates its runtime directory (it is about to start children, which may create segments
     * it never sees).
     */
    public static synchronized void installExitStep() {
        if (!exitStepAdded) {
            exitStepAdded = true;
            ExitSequence.add(ExitSequence.Phase.RUNTIME_FILES, OpenSegments::atExit);
        }
    }

    /**
     * Enters {@code segment} in this process's slot of its table (count + 1, claiming a slot if needed),
     * then reads the remover word.
     *
     * @return 0 if attached; otherwise the word of a process deciding to remove the segment, and nothing
     *         stays registered
     * @throws IOException if every slot is held by a live process
     */
    static synchronized long register(NamedSegment segment) throws IOException {
        MemorySegment h = segment.header();
        int slot = claimSlot(segment);
        // NOTE: count first, then read REMOVER (both SC): pairs with SegmentRemoval's CAS, then slot reads.
        int ignored = (int) INT.getAndAdd(h, SegmentLayout.count(slot), 1);
        long remover = (long) LONG.getVolatile(h, SegmentLayout.REMOVER);
        if (remover != 0) {
            release(h, slot);
            return remover;
        }
        segment.slot = slot;
        OPEN.add(segment);
        return 0;
    }

    /**
     * Takes {@code segment} out of this process's count and marks it closed.
     *
     * @return true if this process has no other open attachment to the same file
     */
    static synchronized boolean deregister(NamedSegment segment) {
        segment.closed = true;
        OPEN.remove(segment);
        return segment.slot < 0 || release(segment.header(), segment.slot);
    }

    /** Count - 1; frees the slot when it reaches 0. True if it did. */
    private static boolean release(MemorySegment h, int slot) {
        int before = (int) INT.getAndAdd(h, SegmentLayout.count(slot), -1);
        if (before == 1) {
            boolean ignored = LONG.compareAndSet(h, SegmentLayout.slot(slot), ProcessWord.SELF, 0L);
            return true;
        }
        return false;
    }

    /** This process's slot in the table, claimed if it has none: a free one first, else a dead holder's. */
    private static int claimSlot(NamedSegment segment) throws IOException {
        MemorySegment h = segment.header();
        int free = -1;
        for (int i = 0; i < SegmentLayout.SLOTS; i++) {
            long holder = (long) LONG.getVolatile(h, SegmentLayout.slot(i));
            if (holder == ProcessWord.SELF) {
                return i;
            }
            if (holder == 0 && free < 0) {
                free = i;
            }
        }
        for (int i = Math.max(free, 0); free >= 0 && i < SegmentLayout.SLOTS; i++) {
            if (LONG.compareAndSet(h, SegmentLayout.slot(i), 0L, ProcessWord.SELF)) {
                INT.setVolatile(h, SegmentLayout.count(i), 0);
                return i;
            }
        }
        for (int i = 0; i < SegmentLayout.SLOTS; i++) {
            long holder = (long) LONG.getVolatile(h, SegmentLayout.slot(i));
            if (holder != 0 && !ProcessWord.isAlive(holder) && LONG.compareAndSet(h, SegmentLayout.slot(i), holder, ProcessWord.SELF)) {
                INT.setVolatile(h, SegmentLayout.count(i), 0);
                return i;
            }
        }
        throw new IOException("shared memory segment \"" + segment.name() + "\": all " + SegmentLayout.SLOTS
                + " attachment slots are held by live processes");
    }

    private static void atExit() {
        List<NamedSegment> open;
        synchronized (OpenSegments.class) {
            open = new ArrayList<>(OPEN);
        }
        for (NamedSegment segment : open) {
            try {
                segment.close();
            } catch (RuntimeException bestEffort) {
                // a thread still blocked on it: the mapping goes with the process
            }
        }
        if (ProcessTree.self().isRoot()) {
            SegmentRemoval.sweep(true);
        }
    }
}
