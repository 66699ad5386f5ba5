package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.Timeouts;

/**
 * Booted, authenticated child JVMs waiting for a target: the {@code PRESTARTED} start method.
 *
 * <p>{@link #take()} hands out a ready standby at once and boots a replacement in the background; if none
 * is ready it boots one in the caller's thread (as {@code SPAWN} would). Standbys that died while waiting
 * are dropped. Standbys preload (decode without running) the latest run order handed out, so the
 * classes and lambdas of a target started again are ready before it is. {@link #fill()} waits until the target count is ready, replacements already booting
 * included. {@link #close()} kills the waiting ones and waits for them to end; after it, {@link #take()}
 * fails. Thread-safe.
 */
public final class StandbyPool implements AutoCloseable {
    /** How long {@link #close()} waits for a killed standby to be gone. */
    private static final long CLOSE_WAIT_MS = 5_000;

    /** See {@link #replenishSoon()}. */
    static final long REPLENISH_DELAY_MS = 200;

    private final JvmCommand command;
    private final int target;
    private final ConcurrentLinkedDeque<ChildJvm> ready = new ConcurrentLinkedDeque<>();
    private final Set<CompletableFuture<Void>> booting = ConcurrentHashMap.newKeySet();
    private final ExecutorService booter = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mp4j-standby-boot");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    /** The latest run order handed out, preloaded into standbys; null until the first. */
    private volatile RunOrder recent;
    /** What classes {@link #recent} is made of: a new kind is preloaded into the waiting standbys too. */
    private volatile String recentKind;

    /** This pool's exit step, taken back by {@link #close()}: a program that makes many contexts keeps none of them. */
    private final Runnable exitStep = this::close;

    public StandbyPool(JvmCommand command, int target) {
        this.command = command;
        this.target = target;
        ExitSequence.add(ExitSequence.Phase.CONTEXTS, exitStep);
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
            child = ChildJvm.launch(command, true);
            child.awaitConnected();
            return child;
        } finally {
            replenishSoon();
        }
    }

    /**
     * Records the run order just handed out, so that standbys preload its classes before the next one;
     * standbys already waiting preload it now if it is of a new {@code kind} (the classes it is made of).
     */
    void remember(RunOrder order, String kind) {
        String previousKind = recentKind;
        recent = order;
        recentKind = kind;
        if (!kind.equals(previousKind)) {
            for (ChildJvm waiting : ready) {
                preload(waiting, order);
            }
        }
    }

    private static void preload(ChildJvm child, RunOrder order) {
        try {
            child.preload(order);
        } catch (IOException | RuntimeException e) {
            child.kill(); // a standby that cannot take a frame cannot take a run order either
        }
    }

    /** Boots standbys up to the target count and waits until every boot under way has finished. */
    public void fill() {
        replenish();
        for (ChildJvm waiting : ready) {
            try {
                waiting.awaitWarm(command.startTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProcessError("interrupted while standby JVMs warm up", e);
            }
        }
        for (CompletableFuture<Void> boot : List.copyOf(booting)) {
            try {
                boot.get(Timeouts.nanos(command.startTimeout()) + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProcessError("interrupted while standby JVMs boot", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new ProcessError("a standby JVM failed to boot", e.getCause() != null ? e.getCause() : e);
            }
        }
    }

    /**
     * Replenishes after {@link #REPLENISH_DELAY_MS}: a JVM that boots takes a whole CPU for ~100 ms, and
     * the process just handed out should have the CPUs for its first steps (on 2 cores this matters).
     */
    private void replenishSoon() {
        if (!closed) {
            CompletableFuture.delayedExecutor(REPLENISH_DELAY_MS, TimeUnit.MILLISECONDS, booter).execute(this::replenish);
        }
    }

    private synchronized void replenish() {
        while (!closed && ready.size() + booting.size() < target) {
            CompletableFuture<Void> boot = new CompletableFuture<>();
            booting.add(boot);
            booter.execute(() -> {
                try {
                    bootOne();
                    boot.complete(null);
                } catch (Throwable t) {
                    boot.completeExceptionally(t);
                    if (!closed) {
                        System.err.println("multiprocessing4j: a standby JVM failed to boot: " + t.getMessage());
                    }
                } finally {
                    booting.remove(boot);
                }
            });
        }
    }

    private void bootOne() throws InterruptedException {
        ChildJvm child = ChildJvm.launch(command, true);
        try {
            child.awaitConnected();
            RunOrder order = recent;
            if (order != null) {
                preload(child, order);
            }
            if (!child.awaitWarm(command.startTimeout())) {
                throw new ProcessError("standby JVM (pid " + child.pid() + ") did not warm up within " + command.startTimeout());
            }
        } catch (InterruptedException | RuntimeException e) {
            // NOTE: closing interrupts boots under way; a JVM that is not in the ready list must die here,
            // or nobody would ever end it
            child.kill();
            throw e;
        }
        ready.addLast(child);
        if (closed) {
            killWaiting();
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
        ExitSequence.remove(ExitSequence.Phase.CONTEXTS, exitStep);
    }

    private void killWaiting() {
        List<ChildJvm> killed = new ArrayList<>();
        ChildJvm child;
        while ((child = ready.pollFirst()) != null) {
            child.kill();
            killed.add(child);
        }
        for (ChildJvm k : killed) {
            try {
                k.exitCode().get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // it was sent SIGKILL; nothing more to do
            }
        }
    }
}
