package org.multiprocessing4j.hazelcast.internal;

/**
 * Waits made of bounded slices of a blocking cluster call, so that a wait without a limit still notices
 * interrupts (or, uninterruptible, survives them and restores the status). Stateless.
 */
final class Waiting {
    /** A blocking attempt that waits at most {@code sliceNanos}. */
    @FunctionalInterface
    interface Attempt {
        boolean tryFor(long sliceNanos) throws InterruptedException;
    }

    /** An attempt that does not wait. */
    @FunctionalInterface
    interface Now {
        boolean tryNow();
    }

    private Waiting() {
    }

    /**
     * Tries until {@code attempt} succeeds or {@code nanos} pass ({@code nanos} negative: no limit; 0: one
     * try with {@code now}).
     *
     * @throws InterruptedException if {@code interruptible} and interrupted (nothing taken)
     */
    static boolean slices(long nanos, boolean interruptible, long sliceNanos, Attempt attempt, Now now) throws InterruptedException {
        if (nanos == 0) {
            return now.tryNow();
        }
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                long left = nanos < 0 ? sliceNanos : Math.min(sliceNanos, deadline - System.nanoTime());
                if (left <= 0) {
                    return now.tryNow();
                }
                try {
                    if (interruptible && Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if (attempt.tryFor(left)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                    Thread.interrupted(); // cleared until the wait ends, else every slice would end at once
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
