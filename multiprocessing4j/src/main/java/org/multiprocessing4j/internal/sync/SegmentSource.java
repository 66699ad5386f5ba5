package org.multiprocessing4j.internal.sync;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;

/**
 * Where the shared words of a synchronization primitive live, as a serializable reference: in each
 * process {@link #segment()} returns that process's mapping of the same shared memory, mapping it on
 * first use. A primitive keeps the source and an offset into its segment, so a handle decoded in a child
 * finds the same words. {@link SyncFile} is the source of a primitive that has a file of its own; a
 * shared value embeds its lock in its own file by passing its own source.
 *
 * <p>Implementations are thread-safe, and decoding one has no side effects (nothing is mapped before
 * {@code segment()}).
 */
public interface SegmentSource extends Serializable {
    /**
     * This process's mapping, attached on first use.
     *
     * @throws IllegalStateException if the memory is closed in this process, or gone (its creator closed it)
     * @throws org.multiprocessing4j.ProcessError if it cannot be mapped
     */
    MemorySegment segment();
}
