package org.multiprocessing4j.internal.sync;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.launch.ExitSequence;

/**
 * The semaphores mapped in this process, so that an orderly end of the process (return from
 * {@code main}, {@code System.exit}, SIGTERM/SIGINT: the {@link ExitSequence}, phase
 * {@link ExitSequence.Phase#HOLDINGS HOLDINGS}) consumes the permits it still holds in each, as in
 * CPython, instead of leaving them for owner-death recovery to give back after it died. A child JVM's
 * normal end runs the same shutdown hook. A process that dies without it (SIGKILL, a crash,
 * {@code Runtime.halt}) keeps its record, and its permits are reclaimed.
 *
 * <p>{@link #add} once per mapping (a semaphore handle's first use here); {@link #consume} when the
 * handle closes, before it unmaps. Thread-safe.
 */
/*
 * Implementation notes
 *
 * Strong references, not weak ones: the garbage collector never unmaps a mapping (a shared arena is only
 * unmapped by its close()), so a handle dropped without close() leaves this process's holdings in shared
 * memory for as long as the process lives, and they must still be consumed at its end. A pool worker, for
 * one, drops the handles its tasks captured after each task. An entry costs a few small objects beside the
 * mapping it stands for; close() removes it.
 *
 * The exit step waits for each semaphore's mutex for at most MUTEX_WAIT_NANOS in all: a mutex stuck with
 * a thread of this process (one that failed inside it) must not hang the JVM's exit; the semaphores not
 * reached keep their holdings, which come back after this process dies (the behaviour before consuming).
 */
public final class SemaphoreHoldings {
    /** How long consuming waits in all for semaphores' mutexes, at exit or in one close. */
    static final long MUTEX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Guarded by itself. */
    private static final Set<SharedSemaphore> MAPPED = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Guarded by MAPPED: true once the exit step ran; later semaphores are consumed as they are added. */
    private static boolean exited;

    static {
        try {
            ExitSequence.add(ExitSequence.Phase.HOLDINGS, SemaphoreHoldings::atExit);
        } catch (IllegalStateException shuttingDown) {
            exited = true; // a first semaphore used while the JVM exits: consumed as it is added
        }
    }

    private SemaphoreHoldings() {
    }

    /** Enters a semaphore newly mapped in this process. */
    public static void add(SharedSemaphore semaphore) {
        synchronized (MAPPED) {
            if (!exited) {
                MAPPED.add(semaphore);
                return;
            }
        }
        semaphore.consumeHoldings(System.nanoTime() + MUTEX_WAIT_NANOS); // a first use while the JVM exits
    }

    /**
     * Consumes this process's holdings in {@code semaphore} and removes it; called by the handle's close
     * before it unmaps. See {@link SharedSemaphore#consumeHoldings}.
     */
    public static void consume(SharedSemaphore semaphore) {
        synchronized (MAPPED) {
            MAPPED.remove(semaphore);
        }
        semaphore.consumeHoldings(System.nanoTime() + MUTEX_WAIT_NANOS);
    }

    private static void atExit() {
        List<SharedSemaphore> all;
        synchronized (MAPPED) {
            exited = true;
            all = new ArrayList<>(MAPPED);
            MAPPED.clear();
        }
        long deadline = System.nanoTime() + MUTEX_WAIT_NANOS;
        for (SharedSemaphore s : all) {
            try {
                s.consumeHoldings(deadline);
            } catch (RuntimeException e) {
                // unmapped by a close racing this step (nothing left to reach), or unusable: the next one
            }
        }
    }
}
