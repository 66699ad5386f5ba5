/**
 * Shared memory between JVMs: files in {@code /dev/shm} mapped as {@link java.lang.foreign.MemorySegment}s
 * ({@link org.multiprocessing4j.internal.shm.SharedFile}), their unguessable names and the sweep of files
 * left by dead process trees ({@link org.multiprocessing4j.internal.shm.ShmNames}), the identity that
 * records who owns or uses a shared resource ({@link org.multiprocessing4j.internal.shm.ProcessStamp}),
 * and the exception for a header that is not what the reader expects.
 *
 * <h2 id="happens-before">Cross-process happens-before</h2>
 * Every shared-memory protocol of this library relies on this rule and on nothing else. Two JVMs that map
 * the same file see the same physical pages. If process A stores a value to an aligned word of a shared
 * segment with <em>release</em> semantics ({@code VarHandle.setRelease} or stronger) and process B loads
 * that value from the same word with <em>acquire</em> semantics ({@code getAcquire} or stronger), then
 * every memory access A made before the store happens-before every access B makes after the load, exactly
 * as the Java Memory Model defines release/acquire between threads. This holds across processes because
 * HotSpot compiles these accesses to the same instructions whichever process the other party lives in,
 * and the hardware orders them for every observer of the physical memory (x86-64 TSO; {@code stlr}/{@code
 * ldar} on AArch64). Volatile accesses ({@code getVolatile}, {@code setVolatile}, atomic read-modify-write)
 * and {@code VarHandle.fullFence()} additionally order a store before a later load (store→load), which
 * the Dekker-style handshake between a sleeper and a waker needs. Consequences:
 * <ul>
 * <li>plain accesses to a segment are ordered across processes only through such a release/acquire pair;
 * <li>atomic and ordered accesses need naturally aligned {@code JAVA_INT}/{@code JAVA_LONG} words (the
 *     {@code _UNALIGNED} layouts allow plain access only);
 * <li>a futex wake is not a fence: a woken thread re-reads the shared words with acquire;
 * <li>nothing survives the death of a process except what it already stored: a peer killed by SIGKILL
 *     leaves every word as it last wrote it, so protocols publish with one final release store and
 *     record owners (pid + start time) to recognize the dead.
 * </ul>
 */
package org.multiprocessing4j.internal.shm;
