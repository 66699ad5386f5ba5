package org.multiprocessing4j.internal.launch;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.events.ProcessExitEvent;
import org.multiprocessing4j.internal.wire.FrameChannel;

/**
 * The parent's side of one child JVM: the OS process, its stdin (kept open for the child's lifetime:
 * closing it is the child's death signal), the authenticated control link, its output pumps, and its exit
 * code once known.
 *
 * <p>Lifecycle: {@link #launch} starts the JVM and writes the {@link Bootstrap}; {@link #awaitConnected}
 * waits until it connected back (or fails with its stderr if it died or timed out); {@link #run} hands it
 * a {@link RunOrder}. {@link #exitCode()} completes after the OS process ended and the control link
 * reached end-of-stream, so every notice the child sent has been read. Thread-safe.
 */
public final class ChildJvm {
    /** How long after the OS process ended we wait for its control link and output to drain. */
    private static final long DRAIN_MS = 2_000;

    private final java.lang.Process process;
    private final JvmCommand command;
    /** The command line this JVM was started with, for error messages. */
    private final List<String> argv;
    private final CompletableFuture<FrameChannel> link;
    private final CompletableFuture<Void> linkClosed = new CompletableFuture<>();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    /** {@link #whenEnded} actions not run yet; guards {@link #exitActionsRun}. */
    private final List<Runnable> exitActions = new ArrayList<>();
    private boolean exitActionsRun;
    private final OutputStream stdin;
    private final OutputPump stdout;
    private final OutputPump stderr;
    private final Object readiness = new Object();
    /** WARM frames the standby has decoded, from its last READY; -1 before its first. Guarded by readiness. */
    private int warmedAcknowledged = -1;
    private int warmSent;
    private volatile boolean orderlyShutdown;
    private volatile int signal;
    /** Set by {@link #kill()}: a status of 128 + 9 is then our SIGKILL, even after an orderly shutdown began. */
    private volatile boolean killSent;
    /** The name of the process it runs, once handed one (null: a standby, or not yet told). */
    private volatile String processName;

    private ChildJvm(java.lang.Process process, JvmCommand command, CompletableFuture<FrameChannel> link, List<String> argv) {
        this.process = process;
        this.argv = List.copyOf(argv);
        this.command = command;
        this.link = link;
        this.stdin = process.getOutputStream();
        long pid = process.pid();
        OutputMode mode = command.outputMode();
        this.stdout = command.inheritIO() ? new OutputPump(process.getInputStream(), () -> System.out, "mp4j-stdout-" + pid,
                mode, this::outputTag, System.Logger.Level.INFO) : null;
        this.stderr = new OutputPump(process.getErrorStream(), command.inheritIO() ? () -> System.err : null, "mp4j-stderr-" + pid,
                mode, this::outputTag, System.Logger.Level.WARNING);
        link.thenAccept(this::readNotices);
        process.onExit().thenRun(this::onProcessExit);
    }

    /** Starts a child JVM and gives it its bootstrap record. Does not wait for it to boot. */
    public static ChildJvm launch(JvmCommand command) {
        return launch(command, false);
    }

    /** As {@link #launch(JvmCommand)}; a {@code standby} warms up fully and reports {@link Frames#READY}. */
    static ChildJvm launch(JvmCommand command, boolean standby) {
        ChildClassPath.requireLibrary();
        Rendezvous rendezvous;
        try {
            rendezvous = Rendezvous.get();
        } catch (UncheckedIOException e) {
            throw RuntimeDirectory.unusable(e); // NOTE: start() promises a ProcessError for a child that cannot start
        }
        byte[] token = Bootstrap.newToken();
        CompletableFuture<FrameChannel> link = rendezvous.expect(token);
        java.lang.Process process;
        long launchNanos = System.nanoTime();
        ProcessBuilder builder;
        try {
            builder = command.processBuilder();
            process = builder.start();
        } catch (IOException e) {
            rendezvous.forget(token);
            throw new ProcessError("cannot start a child JVM with " + command.javaExecutable() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rendezvous.forget(token); // NOTE: a bad environment or directory throws here; the token would stay expected
            throw e;
        }
        ChildJvm child = new ChildJvm(process, command, link, builder.command());
        ProcessTree.Self self = ProcessTree.self();
        Bootstrap bootstrap = new Bootstrap(self.authkey(), token, rendezvous.path(), ProcessTree.treeDirectory(),
                ProcessHandle.current().pid(), self.name(), command.serializer(), launchNanos, standby);
        try {
            bootstrap.writeTo(new DataOutputStream(child.stdin));
        } catch (IOException e) {
            // the child died at once; awaitConnected reports it with its stderr
        }
        process.onExit().thenRun(() -> rendezvous.forget(token));
        return child;
    }

    /**
     * Waits until the child has connected back and proved the authkey. If it exits first or the context's
     * start timeout passes, it is killed and a {@link ProcessError} quoting its stderr is thrown.
     */
    public void awaitConnected() throws InterruptedException {
        Duration timeout = command.startTimeout();
        try {
            CompletableFuture.anyOf(link, process.onExit()).get(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            kill();
            throw new ProcessError("child JVM (pid " + pid() + ") did not connect back within " + timeout
                    + "; it was killed. Its stderr:\n" + stderrAfterExit());
        } catch (ExecutionException e) {
            // the link was abandoned because the process exited: reported below
        } catch (InterruptedException e) {
            kill();
            throw e;
        }
        if (!link.isDone() || link.isCompletedExceptionally()) {
            throw new ProcessError("child JVM (pid " + pid() + ") exited with status " + exitValueAfterExit()
                    + " before it connected back; command: " + String.join(" ", argv)
                    + "\nIts stderr:\n" + stderrAfterExit());
        }
    }

    /** True if the child is alive and its control link is up: a standby ready to be handed a target. */
    boolean isReady() {
        return process.isAlive() && link.isDone() && !link.isCompletedExceptionally() && !linkClosed.isDone();
    }

    /** Hands the child its process to run. */
    void run(RunOrder order) throws IOException {
        link.join().send(Frames.RUN, order.toBytes());
    }

    /** Has a waiting standby decode (not run) a process like the ones it will be given. */
    void preload(RunOrder order) throws IOException {
        synchronized (readiness) {
            warmSent++;
        }
        link.join().send(Frames.WARM, order.toBytes());
    }

    /**
     * Waits until a standby has warmed up and decoded every preload sent so far. Returns false if it ended
     * or {@code timeout} passed first (a huge one saturates).
     */
    boolean awaitWarm(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Timeouts.nanos(timeout);
        synchronized (readiness) {
            while (warmedAcknowledged < warmSent) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || linkClosed.isDone()) {
                    return false;
                }
                readiness.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private int exitValueAfterExit() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The last bytes the child wrote on its stderr (at most 16 KiB), or {@code (empty)}: waits up to 2 s for it to
     * end and up to 2 s more for its stderr to be read to its end.
     */
    public String stderrAfterExit() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            stderr.awaitEnd(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail = stderr.tail();
        return tail.isBlank() ? "(empty)" : tail;
    }

    private void readNotices(FrameChannel channel) {
        Thread.ofPlatform().daemon().name("mp4j-link-" + pid()).start(() -> {
            try (channel) {
                FrameChannel.Frame frame;
                while ((frame = channel.receive()) != null) {
                    switch (frame.type()) {
                        case Frames.SHUTDOWN -> orderlyShutdown = true;
                        case Frames.SIGNAL -> signal = frame.payload().length > 0 ? frame.payload()[0] : 15;
                        case Frames.READY -> {
                            synchronized (readiness) {
                                warmedAcknowledged = ByteBuffer.wrap(frame.payload()).getInt();
                                readiness.notifyAll();
                            }
                        }
                        default -> { } // unknown notices from a newer child are ignored
                    }
                }
            } catch (IOException ignored) {
                // a broken link ends like a closed one
            } finally {
                linkClosed.complete(null);
                synchronized (readiness) {
                    readiness.notifyAll();
                }
            }
        });
    }

    private void onProcessExit() {
        // NOTE: wait until every notice was read (exit code) and every byte of output was copied (so after
        // join() the child's output is all there, as with Python's shared terminal), within a bound.
        CompletableFuture<?> drained = CompletableFuture.allOf(
                link.isDone() ? linkClosed : CompletableFuture.completedFuture(null),
                stdout != null ? stdout.ended() : CompletableFuture.completedFuture(null),
                stderr.ended());
        drained.completeOnTimeout(null, DRAIN_MS, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already closed
            }
            link.thenAccept(ch -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already closed
                }
            });
            link.cancel(false);
            int code = ExitStatus.decode(process.exitValue(), orderlyShutdown, signal, killSent);
            String name = displayName();
            Loggers.PROCESS.log(System.Logger.Level.DEBUG, () -> "process '" + name + "' (pid " + pid() + ") exited with code " + code);
            ProcessExitEvent.emit(name, pid(), code);
            runExitActions();
            exitCode.complete(code);
        });
    }

    /**
     * Runs {@code action} once the child has ended, before {@link #exitCode()} completes (so a join sees its
     * effects), or now if that happened already. An action that throws is reported to stderr.
     */
    public void whenEnded(Runnable action) {
        synchronized (exitActions) {
            if (!exitActionsRun) {
                exitActions.add(action);
                return;
            }
        }
        runQuietly(action);
    }

    private void runExitActions() {
        List<Runnable> actions;
        synchronized (exitActions) {
            exitActionsRun = true;
            actions = List.copyOf(exitActions);
            exitActions.clear();
        }
        actions.forEach(ChildJvm::runQuietly);
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            System.err.println("multiprocessing4j: an action after a child's exit failed: " + e);
        }
    }

    /** Records the name of the process this JVM runs (before it is handed over), for tags, logs and events. */
    void named(String name) {
        this.processName = name;
    }

    private String displayName() {
        String name = processName;
        return name != null ? name : "(standby)";
    }

    /** The prefix of this child's lines in tagged or logged output: {@code [name pid] }. */
    private String outputTag() {
        String name = processName;
        return "[" + (name != null ? name : "standby") + " " + pid() + "] ";
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return !exitCode.isDone();
    }

    /** Completes with Python's exit code after the child ended; see {@link ExitStatus}. */
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /** Sends SIGTERM. */
    public void terminate() {
        // NOTE: through the ProcessHandle: java.lang.Process.destroy() also closes the child's stdin, which
        // the child reads as its parent's death and halts before its SIGTERM handler reports the signal.
        process.toHandle().destroy();
    }

    /** Sends SIGKILL. */
    public void kill() {
        if (process.isAlive()) {
            killSent = true;
        }
        process.toHandle().destroyForcibly();
    }

    /** The underlying OS process handle. */
    public ProcessHandle handle() {
        return process.toHandle();
    }
}
