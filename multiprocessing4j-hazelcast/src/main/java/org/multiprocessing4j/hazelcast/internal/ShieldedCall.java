package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.internal.util.ThreadUtil;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs one cluster call so that an interrupt of the calling thread cannot abandon it half done. Stateless,
 * thread-safe.
 *
 * <p>Implementation note: a Hazelcast proxy call that sees its thread interrupted throws at once (an
 * {@code InterruptedException}, or a {@code HazelcastException} wrapping one), but the operation it sent
 * goes on: a member parked in a {@code take} or {@code tryLock} completes it later and its answer (the item,
 * the permit, the lock) is dropped by the client, so it is lost. So the call runs on a virtual helper
 * thread, which nobody interrupts, under the caller's Hazelcast thread id ({@code ThreadUtil.setThreadId},
 * which lock ownership uses: a lock taken by the helper is the caller's, and the caller unlocks it). The
 * caller waits for the call's end through interrupts and is told whether one came, to give back what the
 * call got or keep it; callers keep such calls short (bounded slices) so an interrupted caller waits little.
 */
final class ShieldedCall {
    /** What a call returned, and whether the caller was interrupted meanwhile (its status cleared). */
    record Outcome<R>(R value, boolean interrupted) {
    }

    private ShieldedCall() {
    }

    /**
     * Runs {@code call} to its end as this thread, whatever interrupts come.
     *
     * @return its value and whether this thread was interrupted before or during it (status now cleared)
     * @throws RuntimeException or Error: what the call threw
     */
    static <R> Outcome<R> run(Callable<R> call) {
        long threadId = ThreadUtil.getThreadId();
        CompletableFuture<R> done = new CompletableFuture<>();
        Thread.ofVirtual().name("mp4j-cluster-call").start(() -> {
            ThreadUtil.setThreadId(threadId);
            try {
                done.complete(call.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                ThreadUtil.removeThreadId();
            }
        });
        boolean interrupted = Thread.interrupted();
        while (true) {
            try {
                return new Outcome<>(done.get(), interrupted);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw rethrown(e.getCause());
            }
        }
    }

    /**
     * Runs {@code call} to its end as this thread, and leaves an interrupt that came meanwhile set (for
     * calls that do not wait: an update, an unlock, a release).
     */
    static <R> R quietly(Callable<R> call) {
        Outcome<R> outcome = run(call);
        if (outcome.interrupted()) {
            Thread.currentThread().interrupt();
        }
        return outcome.value();
    }

    /** {@link #quietly(Callable)} for a call without a value. */
    static void quietly(Runnable call) {
        quietly(() -> {
            call.run();
            return null;
        });
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException e) {
            return e;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("cluster call failed: " + cause, cause);
    }
}
