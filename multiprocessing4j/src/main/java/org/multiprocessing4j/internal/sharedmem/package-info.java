/**
 * The memory behind {@code SharedMemory}, {@code ShareableList}, {@code Value} and {@code Array}.
 * Named segments ({@link org.multiprocessing4j.internal.sharedmem.NamedSegment}, layout
 * {@link org.multiprocessing4j.internal.sharedmem.SegmentLayout}) are files {@code /dev/shm/mp4j-shm-<name>}
 * with an attachment table that counts, per process, who has a segment open; their lifetime rule is in
 * {@code NamedSegment}, applied by {@link org.multiprocessing4j.internal.sharedmem.SegmentRemoval} and at
 * exit by {@link org.multiprocessing4j.internal.sharedmem.OpenSegments}. Values and arrays live in
 * internal files of the process tree ({@code internal.shm.ShmNames}).
 *
 * <p>Cross-process ordering follows the rule of the
 * <a href="../shm/package-summary.html#happens-before">shm package</a>.
 */
package org.multiprocessing4j.internal.sharedmem;
