/**
 * The shared memory behind {@code Queue}, {@code JoinableQueue} and {@code SimpleQueue}: a
 * multi-producer multi-consumer ring of framed messages in one {@code /dev/shm} file
 * ({@link org.multiprocessing4j.internal.queue.QueueLayout}), whose producers and consumers are serialized
 * by two robust cross-process mutexes ({@link org.multiprocessing4j.internal.queue.RobustMutex}), with
 * futex sleeps for data, space and unfinished tasks
 * ({@link org.multiprocessing4j.internal.queue.FutexCondition}). Cross-process happens-before follows the
 * rule of {@link org.multiprocessing4j.internal.shm}.
 */
package org.multiprocessing4j.internal.queue;
