/**
 * Rings of framed messages in shared memory, the local transport under pipes, queues and pools.
 * {@link org.multiprocessing4j.internal.ring.SpscRing} is the single-producer single-consumer ring in a
 * {@code /dev/shm} file ({@link org.multiprocessing4j.internal.ring.RingLayout}); its ends
 * {@link org.multiprocessing4j.internal.ring.SpscWriter} and {@link org.multiprocessing4j.internal.ring.SpscReader}
 * move byte messages of any length, wait adaptively (spin, then futex sleeps in bounded slices), and turn
 * the other end's close or death into end-of-file or a {@link org.multiprocessing4j.internal.ring.BrokenRingException}.
 * Memory ordering follows the
 * <a href="../shm/package-summary.html#happens-before">cross-process happens-before rule</a>; the futex
 * protocol is described in {@code RingEnd}'s implementation notes.
 */
package org.multiprocessing4j.internal.ring;
