package org.multiprocessing4j.internal.launch;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.multiprocessing4j.Serializer;
import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.wire.FrameChannel;
import org.multiprocessing4j.internal.wire.Handshake;
import org.multiprocessing4j.internal.ring.RingWarmUp;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Serializers;

/**
 * The entry point of every child JVM. Not for use by hand: it expects a {@link Bootstrap} on stdin.
 *
 * <p>Order of events: install the signal handlers; read the bootstrap; hide stdin from user code;
 * connect back to the parent's rendezvous socket and prove the authkey; warm the serializer; wait for
 * the run order (a PRESTARTED standby waits here); watch the control link for the parent's death (halt
 * at once); become that process; run it on the main thread. Before the run order, the main thread itself
 * sees the parent's death: the connect is refused, or the link ends. A target that throws prints the stack trace to stderr and exits
 * with 1; a normal return lets the JVM end as any {@code main} does (non-daemon threads, then shutdown
 * hooks, then status 0).
 */
public final class ChildMain {
    /** Exit status when the bootstrap fails (no parent to report to, or the record is bad). */
    static final int EXIT_BOOTSTRAP_FAILED = 2;
    /** How often a standby decodes a preloaded process object: enough for the JIT to compile the path. */
    private static final int PRELOAD_DECODES = 200;
    /** Larger process objects are preloaded with one decode. */
    private static final int PRELOAD_REPEAT_MAX_BYTES = 16 * 1024;
    /** Exit status when the parent died: nobody reads it; it only ends the JVM. */
    static final int EXIT_PARENT_GONE = 1;
    /** How often a child whose exit has begun looks whether its parent is still alive. */
    private static final long PARENT_POLL_MILLIS = 20;

    private ChildMain() {
    }

    public static void main(String[] args) {
        // NOTE: opening a Unix-domain socket costs a fresh JVM ~30 ms (the JDK seeds a SecureRandom for it);
        // it starts on a second core at once, while this thread installs handlers and reads its bootstrap.
        CompletableFuture<SocketChannel> socket = CompletableFuture.supplyAsync(ChildMain::openSocket,
                task -> Thread.ofPlatform().daemon().name("mp4j-socket-open").start(task));
        ChildNotices.installSignalHandlers();
        DataInputStream stdin = new DataInputStream(new FileInputStream(FileDescriptor.in));
        Bootstrap bootstrap;
        try {
            bootstrap = Bootstrap.readFrom(stdin);
        } catch (IOException e) {
            System.err.println("multiprocessing4j child: cannot read the bootstrap record on stdin: " + e.getMessage());
            System.exit(EXIT_BOOTSTRAP_FAILED);
            return;
        }
        System.setIn(InputStream.nullInputStream());
        ProcessTree.joinTree(bootstrap.authkey(), bootstrap.parentPid(), bootstrap.parentName(), bootstrap.tree());
        BootTrace.launchedAt(bootstrap.launchNanos());
        BootTrace.phase("bootstrap read");
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        FrameChannel link;
        ObjectCodec codec;
        RunOrder order;
        try {
            Serializer serializer = Serializers.create(bootstrap.serializer(), loader);
            codec = new ObjectCodec(serializer);
            if (!bootstrap.standby()) {
                // NOTE: a freshly spawned child warms its shared-memory path and its codec on the other core
                // while this thread connects and authenticates (all first-use costs of a fresh JVM), and
                // decodes its run order as soon as it arrives, sharing whatever is warm by then. Rings first:
                // a pool worker, a pipe's or a manager's user needs them right after its target is decoded,
                // while the serializer's own warm-up matters only for objects off the fast paths.
                Thread.ofPlatform().daemon().name("mp4j-warm-up").start(() -> {
                    try {
                        RingWarmUp.run();
                        BootTrace.phase("rings warm");
                        serializer.warmUp();
                        BootTrace.phase("serializer warm");
                    } catch (Throwable optional) {
                        // NOTE: optional work: a child whose heap ran out (or any failure here) must not print this
                        // thread's trace; the child's own code meets the same condition and reports it
                    }
                });
            }
            link = connect(socket.join(), bootstrap);
            BootTrace.phase("authenticated");
            ChildNotices.connected(link);
            int warmed = 0;
            if (bootstrap.standby()) {
                serializer.warmUp(); // a standby has time: it warms up fully before it says it is ready
                BootTrace.phase("serializer warm");
                RingWarmUp.run();
                BootTrace.phase("rings warm");
                link.send(Frames.READY, readyPayload(warmed));
            }
            FrameChannel.Frame frame;
            while ((frame = link.receive()) != null && frame.type() == Frames.WARM) {
                preload(codec, frame.payload(), loader);
                link.send(Frames.READY, readyPayload(++warmed));
            }
            BootTrace.phase("run order received");
            if (frame == null && ChildNotices.exiting()) {
                return; // NOTE: a signal's exit shut the link's input; that exit goes on with its own status
            }
            if (frame == null || frame.type() != Frames.RUN) {
                Runtime.getRuntime().halt(0); // a standby the parent no longer needs
                return;
            }
            order = RunOrder.fromBytes(frame.payload());
            watchParent(link, bootstrap.parentPid());
        } catch (IOException | RuntimeException e) {
            System.err.println("multiprocessing4j child: bootstrap failed: " + e);
            System.exit(EXIT_BOOTSTRAP_FAILED);
            return;
        }
        ProcessTree.becomeChild(order.name(), order.identity(), order.daemon(), bootstrap.authkey(),
                bootstrap.parentPid(), bootstrap.parentName(), bootstrap.tree());
        Thread.currentThread().setName(order.name());
        Runnable target;
        try {
            // a Process (its run() method), or a bare Runnable for the library's own children (AOT training)
            target = (Runnable) codec.decode(order.process(), loader);
        } catch (ClassNotFoundException e) {
            reportAndExit(order.name(), new IllegalStateException(ChildClassPath.cannotLoad("the process object", e), e));
            return;
        } catch (IOException | RuntimeException e) {
            reportAndExit(order.name(), new IllegalStateException("cannot load the process object in the child", e));
            return;
        }
        BootTrace.phase("target decoded");
        try {
            target.run();
        } catch (Throwable t) {
            try {
                report(order.name(), t);
            } finally {
                // NOTE: as after a normal return, and as CPython's _bootstrap (threading._shutdown in its finally) and a
                // Java main that throws: the process waits for its non-daemon threads, then exits with 1. System.exit
                // at once ended their work unfinished.
                awaitNonDaemonThreads();
                System.exit(1);
            }
        }
    }

    /** Waits until no platform thread but this one is non-daemon and alive (virtual threads are daemons). */
    private static void awaitNonDaemonThreads() {
        Thread self = Thread.currentThread();
        boolean interrupted = false;
        for (;;) {
            Thread other = null;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t != self && !t.isDaemon() && t.isAlive()) {
                    other = t;
                    break;
                }
            }
            if (other == null) {
                break;
            }
            try {
                other.join();
            } catch (InterruptedException e) {
                interrupted = true; // NOTE: nothing interrupts this thread on purpose now; the wait goes on, as the JVM's would
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] readyPayload(int warmed) {
        return ByteBuffer.allocate(4).putInt(warmed).array();
    }

    /**
     * Decodes a process object without running it (Python's {@code set_forkserver_preload}, done from the
     * parent's recent targets): its classes load and its lambdas link now, not after the clock started.
     * Failures are ignored; the real run order reports its own.
     */
    private static void preload(ObjectCodec codec, byte[] payload, ClassLoader loader) {
        try {
            byte[] process = RunOrder.fromBytes(payload).process();
            // repeated so the JIT compiles the decode path, unless the object is big (then once is plenty)
            int decodes = process.length <= PRELOAD_REPEAT_MAX_BYTES ? PRELOAD_DECODES : 1;
            for (int i = 0; i < decodes; i++) {
                codec.decode(process, loader);
            }
        } catch (Exception | LinkageError ignored) {
            // the run order will say what is wrong, if anything
        }
    }

    private static void reportAndExit(String name, Throwable t) {
        try {
            report(name, t);
        } finally {
            System.exit(1);
        }
    }

    /** Prints {@code t} as Python prints an exception that ended a process; never throws. */
    private static void report(String name, Throwable t) {
        try {
            System.err.println("Process " + name + ":");
            try {
                t.printStackTrace();
            } catch (RuntimeException | StackOverflowError | LinkageError unprintable) {
                // NOTE: user code (an overridden getMessage, getStackTrace or getCause): what escaped here skipped the
                // exit, so the child ran on as if run() had returned, and the trace printed was the printing's
                System.err.println(t.getClass().getName() + " [cannot print it: its printStackTrace threw "
                        + unprintable.getClass().getName() + "]");
            }
            System.err.flush();
        } catch (RuntimeException | Error unreportable) {
            // NOTE: System.err replaced by user code with a stream that throws: the exit status still says it
        }
    }

    private static SocketChannel openSocket() {
        try {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FrameChannel connect(SocketChannel channel, Bootstrap bootstrap) throws IOException {
        channel.connect(UnixDomainSocketAddress.of(bootstrap.rendezvous()));
        BootTrace.phase("connected");
        Handshake.connect(channel, bootstrap.authkey());
        ByteBuffer token = ByteBuffer.wrap(bootstrap.token());
        while (token.hasRemaining()) {
            channel.write(token);
        }
        return new FrameChannel(channel, Frames.MAX_FRAME_BYTES);
    }

    /**
     * Reads the control link until end-of-stream, which the parent's death produces (the kernel closes
     * its socket, whatever killed it); then halts at once. If this JVM is exiting by itself (its exit shut the
     * link's input), it goes on watching the parent, and halts if the parent dies before this exit ends.
     *
     * <p>Implementation note: an exit can wait for other processes for as long as they run (the non-daemon
     * children it joins, as Python's {@code _exit_function}; user shutdown hooks). The link can no longer tell
     * the parent's death then, so a pidfd on the parent, stamped with its start time while it was known to be
     * alive (a reused pid is never taken for it), is polled every {@link #PARENT_POLL_MILLIS} ms. Without it a
     * SIGKILLed parent left such a child running, and with it the grandchildren it was joining.
     */
    private static void watchParent(FrameChannel link, long parentPid) {
        Thread watcher = new Thread(() -> {
            // NOTE: taken now, while the parent is alive (it has just sent the run order), on this thread, off the boot path
            ProcessStamp parent = ProcessHandle.of(parentPid).map(ProcessStamp::of).orElse(null);
            try {
                while (link.receive() != null) {
                    // no control frames after the run order yet
                }
            } catch (IOException ignored) {
                // a broken link means the same
            }
            if (ChildNotices.exiting() && parent != null) {
                awaitDeath(parent);
            }
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        }, "mp4j-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Returns once {@code parent} has died; this daemon thread simply ends with the JVM if that never happens. */
    private static void awaitDeath(ProcessStamp parent) {
        try (ProcessWatch watch = ProcessWatch.open(parent)) {
            while (watch.isAlive()) {
                try {
                    Thread.sleep(PARENT_POLL_MILLIS);
                } catch (InterruptedException ignored) {
                    // nothing interrupts this thread on purpose; it keeps watching
                }
            }
        }
    }
}
