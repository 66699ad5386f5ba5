package org.multiprocessing4j.internal.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.multiprocessing4j.ProcessError;

/**
 * Booted, authenticated child JVMs waiting for a target: the {@code PRESTARTED} start method.
 *
 * <p>{@link #take()} hands out a ready standby at once and boots a replacement in the background; if none
 * is ready it boots one in the caller's thread (as {@code SPAWN} would). Standbys that died while waiting
 * are dropped. {@link #close()} kills the waiting ones; after it, {@link #take()} fails. Thread-safe.
 */
public final class StandbyPool implements AutoCloseable {
    private final JvmCommand command;
    private final int target;
    private final ConcurrentLinkedDeque<ChildJvm> ready = new ConcurrentLinkedDeque<>();
    private final AtomicInteger booting = new AtomicInteger();
    private final ExecutorService booter = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mp4j-standby-boot");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public StandbyPool(JvmCommand command, int target) {
        this.command = command;
        this.target = target;
        ExitSequence.add(ExitSequence.Phase.CONTEXTS, this::close);
    }

    /** A connected child JVM waiting for its run order; the caller owns it from now on. */
    public ChildJvm take() throws InterruptedException {
        checkOpen();
        try {
            ChildJvm child;
            while ((child = ready.pollFirst()) != null) {
                if (child.isReady()) {
                    return child;
                }
                child.kill();
            }
            child = ChildJvm.launch(command);
            child.awaitConnected();
            return child;
        } finally {
            replenish();
        }
    }

    /** Boots standbys up to the target count and waits for them. */
    public void fill() {
        List<java.util.concurrent.Future<?>> boots = new ArrayList<>();
        while (!closed && ready.size() + booting.get() < target) {
            booting.incrementAndGet();
            boots.add(booter.submit(this::bootOne));
        }
        for (var f : boots) {
            try {
                f.get();
            } catch (Exception e) {
                throw new ProcessError("a standby JVM failed to boot", e);
            }
        }
    }

    private void replenish() {
        while (!closed && ready.size() + booting.get() < target) {
            booting.incrementAndGet();
            booter.execute(() -> {
                try {
                    bootOne();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // closing: the JVM it booted was killed
                } catch (RuntimeException e) {
                    System.err.println("multiprocessing4j: a standby JVM failed to boot: " + e.getMessage());
                }
            });
        }
    }

    private Void bootOne() throws InterruptedException {
        try {
            ChildJvm child = ChildJvm.launch(command);
            child.awaitConnected();
            ready.addLast(child);
            if (closed) {
                killWaiting();
            }
            return null;
        } finally {
            booting.decrementAndGet();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the context of these standby JVMs is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        booter.shutdownNow();
        killWaiting();
    }

    private void killWaiting() {
        ChildJvm child;
        while ((child = ready.pollFirst()) != null) {
            child.kill();
        }
    }
}
