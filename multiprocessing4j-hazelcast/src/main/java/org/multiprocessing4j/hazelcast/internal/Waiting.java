package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.spi.exception.DistributedObjectDestroyedException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Waits made of bounded slices of a blocking cluster call, each run as a {@link ShieldedCall} (an interrupt
 * never abandons a call half done), so that a wait without a limit still notices interrupts between slices
 * or, uninterruptible, survives them and restores the status. Stateless.
 */
final class Waiting {
    /** The longest one blocking call waits: an interrupted waiter waits about this long for its call to end. */
    static final long SLICE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A blocking attempt that waits at most {@code sliceNanos} (0: does not wait). */
    @FunctionalInterface
    interface Attempt<R> {
        /** What it got (an item, a permit, {@code true} for a lock), or null if nothing. */
        R tryFor(long sliceNanos) throws InterruptedException;
    }

    private Waiting() {
    }

    /**
     * Tries until {@code attempt} gets something or {@code nanos} pass ({@code nanos} negative: no limit; 0:
     * one try that does not wait). An interrupt that comes while an attempt runs lets it end first; if it got
     * something, {@code giveBack} returns it and the wait throws {@link InterruptedException} (interruptible),
     * or, for a null {@code giveBack}, the wait keeps it and returns it with the interrupt status set.
     *
     * After every slice that got nothing, and when Hazelcast ends an attempt because the structure was destroyed,
     * the wait checks that the scope of {@code structure} has not ended ({@link ScopeEnds}).
     *
     * @param structure what is waited on (for the scope check and messages); null: no check
     * @return what the attempt got, or null if {@code nanos} passed first
     * @throws InterruptedException if {@code interruptible}, interrupted, and nothing is kept
     * @throws org.multiprocessing4j.ManagerUnavailableException if its manager was shut down meanwhile
     * @throws IllegalStateException if the connection that made it closed meanwhile, or it was destroyed by name
     */
    static <R> R slices(long nanos, boolean interruptible, StructureRef structure, Attempt<R> attempt, Consumer<R> giveBack)
            throws InterruptedException {
        long deadline = Saturating.deadline(nanos);
        boolean interrupted = false;
        try {
            while (true) {
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                long slice = nanos < 0 ? SLICE_NS : Math.max(0, Math.min(SLICE_NS, deadline - System.nanoTime()));
                ShieldedCall.Outcome<R> outcome;
                try {
                    outcome = ShieldedCall.run(() -> attempt.tryFor(slice));
                } catch (DistributedObjectDestroyedException e) {
                    ScopeEnds.check(structure);
                    throw new IllegalStateException((structure == null ? "a structure" : "the " + structure.kind() + " " + structure.name())
                            + " was destroyed while this thread waited on it", e);
                } catch (HazelcastException e) {
                    if (!(e.getCause() instanceof InterruptedException)) {
                        throw e;
                    }
                    outcome = new ShieldedCall.Outcome<>(null, true); // not expected: nobody interrupts the helper
                }
                R got = outcome.value();
                if (outcome.interrupted()) {
                    interrupted = true;
                    if (interruptible && (got == null || giveBack != null)) {
                        if (got != null) {
                            ShieldedCall.run(() -> {
                                giveBack.accept(got);
                                return null;
                            });
                        }
                        interrupted = false; // thrown instead
                        throw new InterruptedException();
                    }
                }
                if (got != null) {
                    return got;
                }
                if (slice == 0 && nanos >= 0) {
                    return null;
                }
                ScopeEnds.check(structure);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
