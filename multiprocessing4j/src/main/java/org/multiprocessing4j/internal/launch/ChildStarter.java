package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.function.Consumer;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.ProcessStartEvent;

/**
 * Starts one process in a child JVM: a fresh one ({@code SPAWN}) or a standby ({@code PRESTARTED}),
 * then hands it the encoded process object. Returns once the child holds its run order.
 */
public final class ChildStarter {
    private ChildStarter() {
    }

    /**
     * @param standby the context's standby JVMs, or {@code null} to boot a fresh JVM
     * @param kind    the classes the process is made of (its class and its target's), for preloading
     * @param beforeRun called with the child JVM's process once it is known, before the run order is sent:
     *                  the child cannot act on its process object before it returns
     * @param undoBeforeRun called if the run order was not delivered, after {@code beforeRun} and before the JVM
     *                  is killed: what beforeRun gave the child is taken back while its process still lives, so
     *                  nobody watching that process reads its death in between
     * @throws ProcessError          if the JVM cannot be started or dies before taking its run order
     * @throws InterruptedException  if interrupted while waiting for the JVM to boot or while handing it the process
     *                               (it is killed)
     */
    public static ChildJvm start(JvmCommand command, StandbyPool standby, String name, boolean daemon, int[] identity,
                                 byte[] encodedProcess, String kind, Consumer<ProcessHandle> beforeRun,
                                 Runnable undoBeforeRun) throws InterruptedException {
        ProcessStartEvent event = ProcessStartEvent.begin(standby != null ? "PRESTARTED" : "SPAWN");
        long startNanos = System.nanoTime();
        ChildJvm child;
        if (standby != null) {
            child = standby.take();
        } else {
            child = ChildJvm.launch(command);
            child.named(name); // NOTE: now, so that what the JVM prints while it boots is tagged with the name too
            child.awaitConnected();
        }
        RunOrder order = new RunOrder(name, daemon, identity, encodedProcess);
        child.named(name);
        boolean ran = false;
        try {
            beforeRun.accept(child.handle());
            child.run(order);
            ran = true;
            if (standby != null) {
                standby.remember(order, kind);
            }
        } catch (ClosedByInterruptException e) {
            // NOTE: the control link is an interruptible channel: an interrupt pending or arriving while the run order
            // is written closes it, and the JVM, alive, never gets its process. That is this thread's interrupt, not
            // the child's death: reported as one (the channel leaves the flag set; the InterruptedException says it)
            undo(undoBeforeRun, ran, e);
            child.kill();
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException("interrupted while handing process '" + name
                    + "' to its JVM (pid " + child.pid() + "), which was killed");
            interrupted.initCause(e);
            throw interrupted;
        } catch (IOException e) {
            undo(undoBeforeRun, ran, e);
            child.kill();
            throw new ProcessError("child JVM (pid " + child.pid() + ") died before it took process '" + name + "'", e);
        } catch (RuntimeException | Error e) {
            undo(undoBeforeRun, ran, e);
            child.kill(); // NOTE: no Process holds this JVM yet: nobody else could end it
            throw e;
        }
        ProcessStartEvent.commit(event, name, child.pid());
        ChildJvm started = child;
        Loggers.PROCESS.log(System.Logger.Level.DEBUG, () -> "started process '" + name + "' (pid " + started.pid() + ", "
                + (standby != null ? "PRESTARTED" : "SPAWN") + ") in " + (System.nanoTime() - startNanos) / 1_000_000 + " ms");
        return child;
    }

    /** Runs {@code undo} for a run order that was not delivered ({@code !ran}); its failure is added to {@code cause}. */
    private static void undo(Runnable undo, boolean ran, Throwable cause) {
        if (ran) {
            return;
        }
        try {
            undo.run();
        } catch (RuntimeException | Error e) {
            cause.addSuppressed(e);
        }
    }
}
