/**
 * Kernel waits for the shared-memory protocols, as FFM downcalls on Linux: {@link
 * org.multiprocessing4j.internal.futex.Futex} blocks a thread on a 32-bit word of a shared mapping until
 * another process changes it and wakes it, and {@link org.multiprocessing4j.internal.futex.ProcessWatch}
 * tells through a pidfd whether a peer process is still alive (a zombie counts as dead).
 *
 * <p>Every wait here is timed: a thread blocked in a downcall does not see {@link Thread#interrupt()},
 * signals cause early returns, and a peer may die without waking anyone, so callers wait in bounded
 * slices and re-check their condition, the interrupt flag and the peer after each. A blocking downcall
 * pins a virtual thread's carrier for the length of the slice. The first use of FFM costs tens of
 * milliseconds in a fresh JVM; loading {@code Futex} pays it (and warms every handle) once.
 * What a wake makes visible is defined by the
 * <a href="../shm/package-summary.html#happens-before">cross-process happens-before rule</a>: nothing by
 * itself; the woken thread re-reads the shared words with acquire.
 */
package org.multiprocessing4j.internal.futex;
