/**
 * Python's {@code multiprocessing} for the JVM: every child is a separate JVM.
 *
 * <p>Start here: {@link org.multiprocessing4j.Process} (a target run in a child JVM),
 * {@link org.multiprocessing4j.Context} (how children are made, {@link org.multiprocessing4j.StartMethod}),
 * {@link org.multiprocessing4j.Multiprocessing} (module-level functions), pipes and queues in shared memory
 * ({@link org.multiprocessing4j.Pipe}, {@link org.multiprocessing4j.Queue},
 * {@link org.multiprocessing4j.JoinableQueue}, {@link org.multiprocessing4j.SimpleQueue}), synchronization
 * across processes ({@link org.multiprocessing4j.Lock}, {@link org.multiprocessing4j.RLock},
 * {@link org.multiprocessing4j.Semaphore}, {@link org.multiprocessing4j.BoundedSemaphore},
 * {@link org.multiprocessing4j.Event}, {@link org.multiprocessing4j.Condition},
 * {@link org.multiprocessing4j.Barrier}), the socket
 * connections {@link org.multiprocessing4j.Listener}, {@link org.multiprocessing4j.Client},
 * {@link org.multiprocessing4j.Connection}, {@link org.multiprocessing4j.Connections}, and shared memory
 * ({@link org.multiprocessing4j.Value}, {@link org.multiprocessing4j.Array},
 * {@link org.multiprocessing4j.SharedMemory}, {@link org.multiprocessing4j.ShareableList}).
 *
 * <h2>Memory visibility across processes</h2>
 * Processes share no heap: what one JVM sees of another is what was sent. The library guarantees these
 * <i>happens-before</i> edges, in the sense of the Java memory model extended across JVMs:
 * <ul>
 *   <li>Everything the parent did before {@link org.multiprocessing4j.Process#start()} happens-before the
 *       child's {@code run()} begins, for what travels with the process object (its target and fields, as
 *       they were when {@code start()} serialized them).</li>
 *   <li>Everything a child did, including its writes to files and its output on stdout/stderr,
 *       happens-before {@link org.multiprocessing4j.Process#join()} returns in the parent (and
 *       {@code exitCode()} becomes non-null).</li>
 *   <li>Everything a process did before a {@link org.multiprocessing4j.Connection} {@code send} happens-before
 *       the matching receive returns on the other end (socket or shared-memory pipe).</li>
 *   <li>Everything a process did before a queue {@code put} happens-before the {@code get} that returns that
 *       item; a {@code taskDone} happens-before the {@code join} it releases returns.</li>
 *   <li>A {@code set} (or any atomic update) of a shared {@code Value} or {@code Array} element
 *       happens-before every {@code get} that reads the value it stored, in any process (they are volatile
 *       accesses of shared memory); everything done before releasing a value's lock happens-before what
 *       the next holder does after acquiring it. Plain accesses through a {@code segment()} view are
 *       ordered only by such an edge.</li>
 *   <li>Everything a thread did before releasing a {@code Lock} or {@code RLock} (the release that frees
 *       it) happens-before everything a thread of any process does after its next acquire of it returns,
 *       a take-over from a dead holder included (what the dead process stored is all visible).</li>
 *   <li>Everything done before a {@code Semaphore.release()} happens-before what follows the acquire that
 *       takes that permit; before {@code Event.set()}, what follows an {@code await} that it ends (or an
 *       {@code isSet()} that sees it); before a party's {@code Barrier.await}, what every party does after
 *       that pass. A {@code Condition} orders through its lock.</li>
 * </ul>
 * In shared memory these edges come from release stores and acquire loads on the ring's counters, and
 * from the lock words' CAS and atomic exchange (see the implementation notes of {@code internal.ring},
 * {@code internal.queue} and {@code internal.sync}).
 *
 * <h2>Security</h2>
 * A process tree shares a random 32-byte authkey that children inherit over their stdin (never argv or the
 * environment). Every socket between processes runs a mutual HMAC-SHA256 challenge-response on it before
 * any message is read, and the runtime directory holding sockets is private to the user (0700). After
 * authentication a peer is trusted, as with pickle: its messages are deserialized.
 */
package org.multiprocessing4j;
