/**
 * Synchronization primitives across processes in shared memory, behind the public {@code Lock},
 * {@code RLock}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Event}, {@code Condition} and
 * {@code Barrier}: each primitive's words live in a file of its own ({@link
 * org.multiprocessing4j.internal.sync.SyncFile}, layout {@code SyncLayout}) or in a region of another
 * object's file (a shared value's lock), reached through a serializable
 * {@link org.multiprocessing4j.internal.sync.SegmentSource}.
 *
 * <p>Every protocol here waits on futex words in bounded slices ({@code Waits}) and records owners as an
 * {@link org.multiprocessing4j.internal.sync.OwnerWord} (pid + start-time token) so that a process killed
 * while holding a lock or a permit, or while waiting, never blocks the others for more than a slice. Memory
 * ordering follows the <a href="../shm/package-summary.html#happens-before">cross-process happens-before
 * rule</a>: a lock's release is a full barrier and its acquire a CAS, so everything written under the lock
 * is visible to its next holder in any process.
 */
package org.multiprocessing4j.internal.sync;
