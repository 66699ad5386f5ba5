package org.multiprocessing4j;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.launch.ChildClassPath;
import org.multiprocessing4j.internal.launch.ChildJvm;
import org.multiprocessing4j.internal.launch.ChildStarter;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * Work that runs in its own JVM (Python's {@code multiprocessing.Process}).
 *
 * <pre>{@code
 * var p = new Process(() -> work("bob"));      // Process(target=work, args=("bob",))
 * p.start();
 * p.join();
 * int code = p.exitCode();                    // 0
 * }</pre>
 *
 * <p>Give it a target, or subclass it and override {@link #run()}: the object itself, with its fields,
 * is serialized and travels to the child, where {@code run()} is called on the copy. Only the fields of
 * this class ({@code target}, {@code name}, {@code daemon}) and of subclasses travel; the parent-side
 * state (pid, exit code) stays here.
 *
 * <p><b>Lifecycle.</b> NEW --{@link #start()}--&gt; STARTED --(child ends)--&gt; ENDED --{@link #close()}--&gt;
 * CLOSED. {@code start()} twice, {@code join()} before {@code start()}, {@code close()} while running, and
 * any call after {@code close()} except {@code close()} and {@link #name()} (as in Python) throw
 * {@link IllegalStateException}.
 *
 * <p><b>Exit codes</b> ({@link #exitCode()}): 0 on normal return; 1 when {@code run()} threw (the stack
 * trace is printed on the child's stderr); {@code n} after {@code System.exit(n)} in the child; {@code -N}
 * when ended by signal N ({@code -15} after {@link #terminate()}, {@code -9} after {@link #kill()}).
 * Because the child is a JVM, a few signals differ from a Python child: SIGQUIT (a thread dump) and
 * SIGUSR2 (the JVM's own) do not end it, so {@code exitCode()} stays {@code null}; SIGSEGV, SIGBUS,
 * SIGFPE and SIGILL go to the JVM's crash handler, which writes an {@code hs_err_pid*.log} in the
 * child's working directory and aborts: {@code -6}, not {@code -N}.
 *
 * <p><b>Lifetime.</b> Daemon children are terminated when this JVM exits normally; non-daemon children
 * are joined then. If this JVM dies by any means, SIGKILL included, every child halts at once (it watches
 * its stdin, which only this JVM holds). A daemon child may not start children.
 *
 * <p><b>Thread-safety.</b> All methods may be called from any thread; state changes synchronize on this
 * object. {@link #join()} blocks (responding
 * to interrupts); {@link #start()} blocks until the child JVM holds its target (a few ms with
 * {@link StartMethod#PRESTARTED}, the JVM's boot time with {@link StartMethod#SPAWN}).
 */
public class Process implements Runnable, Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    private enum State { NEW, STARTED, CLOSED }

    /** The code the child runs; null when a subclass overrides {@link #run()}. */
    private final SerializableRunnable target;
    /** The process's name. */
    private String name;
    /** Whether the child is a daemon. */
    private boolean daemon;
    /**
     * A daemon here (terminated when this JVM exits) that may still start children of its own: a manager's
     * process, whose served objects may start processes and pools, as CPython's non-daemonic manager does.
     * Its children end with it (it terminates them when signalled, and none outlives a SIGKILL).
     */
    private transient boolean daemonWithChildren;
    /** The position in the process tree (Python's {@code _identity}), e.g. {@code [1, 2]}. */
    private final int[] identity;

    private transient Context context;
    private transient volatile State state = State.NEW;
    private transient volatile ChildJvm child;
    /** The one sentinel of the started child, made on first request (see {@link #sentinel()}). */
    private transient volatile Sentinel sentinel;

    /**
     * A process that runs {@code target}, named {@code Process-N}.
     *
     * @param target the code the child process runs
     */
    public Process(SerializableRunnable target) {
        this(null, Objects.requireNonNull(target, "target"), null);
    }

    /**
     * A process named {@code name} that runs {@code target}.
     *
     * @param name the process's name
     * @param target the code the child process runs
     */
    public Process(String name, SerializableRunnable target) {
        this(Objects.requireNonNull(name, "name"), Objects.requireNonNull(target, "target"), null);
    }

    /** For subclasses that override {@link #run()}; named {@code Process-N}. */
    protected Process() {
        this(null, null, null);
    }

    /**
     * For subclasses that override {@link #run()}.
     *
     * @param name the process's name
     */
    protected Process(String name) {
        this(Objects.requireNonNull(name, "name"), null, null);
    }

    Process(String name, SerializableRunnable target, Context context) {
        this.target = target;
        this.identity = ProcessTree.nextChildIdentity();
        this.name = name != null ? name : "Process-" + Arrays.stream(identity).mapToObj(Integer::toString).collect(Collectors.joining(":"));
        this.daemon = ProcessTree.self().daemon();
        this.context = context;
    }

    /**
     * What the child runs. The default runs the target given to the constructor; subclasses override it.
     * Runs in the child JVM, never in the parent.
     */
    public void run() {
        if (target != null) {
            target.run();
        }
    }

    /**
     * Starts the child JVM and hands it this process. Blocks until the child holds it.
     *
     * @throws IllegalStateException     if already started or closed, if called in a daemon process, or on a
     *                                   copy of a process object that reached this JVM serialized (as in Python)
     * @throws IllegalArgumentException  if this process (its target, captures or fields) cannot be
     *                                   serialized; the message names the offending class
     * @throws ProcessError              if the child JVM cannot start (the message quotes its stderr), or if
     *                                   interrupted while it boots (the interrupt flag is restored)
     */
    public void start() {
        synchronized (this) {
            checkNotClosed();
            if (state == null) {
                // NOTE: transient with an initializer, so null only in a copy made by deserialization: it would start
                // as new under its creator's identity and name (CPython: "can only start a process object created by
                // current process")
                throw new IllegalStateException("can only start a process object created by this process, not a copy"
                        + " that reached it serialized: " + name);
            }
            if (state == State.STARTED) {
                throw new IllegalStateException("cannot start a process twice: " + this);
            }
            if (ProcessTree.self().daemon()) {
                throw new IllegalStateException("daemonic processes are not allowed to have children");
            }
            Context ctx = context != null ? context : Multiprocessing.defaultContext();
            if (ctx.isClosed()) {
                throw new IllegalStateException("the context of " + this + " is closed");
            }
            // NOTE: a plain Process travels as its target alone (the child runs a bare Runnable the same way,
            // and takes its name, daemon flag and identity from the run order): a lambda target whose captures
            // take the codec's fast paths then reaches the child without JDK serialization, which a fresh JVM
            // pays tens of ms for. A subclass travels whole, its fields with it.
            Object image = getClass() == Process.class ? target : this;
            ChildClassPath.requireLoadable(getClass(), "process '" + name + "'");
            if (target != null) {
                ChildClassPath.requireLoadable(target.getClass(), "the target of process '" + name + "'");
            }
            List<RingConnection> pipeEnds = new ArrayList<>();
            byte[] encoded;
            try {
                encoded = RingConnection.encodingForChild(() -> ctx.codec().encode(image, "process '" + name + "'"), pipeEnds);
            } catch (RuntimeException | Error e) {
                // NOTE: a pipe end written before another capture failed counted as handed on to a child that never
                // existed: closed here unused, it was left open in its rings, so its peer waited for ever, not EOF
                pipeEnds.forEach(RingConnection::withdrawHandOn);
                throw e;
            }
            // NOTE: the ends are reserved for the child before it gets its run order: reserved after, a child that
            // handed an end on to a grandchild raced the grandchild's first use, which found the end still
            // reserved for the child and threw (PipeEndHandOnRaceTest)
            ProcessStamp[] reservedFor = new ProcessStamp[1];
            try {
                child = ChildStarter.start(ctx.command(), ctx.startMethod() == StartMethod.PRESTARTED ? ctx.standby() : null,
                        name, daemon && !daemonWithChildren, identity, encoded, getClass().getName() + "/" + (target == null ? "" : target.getClass().getName()),
                        handle -> {
                            if (!pipeEnds.isEmpty()) {
                                // NOTE: the pipe ends this child was handed are its own from now on, used or not: if it
                                // ends without using one, the peer sees EOF (Python: its copy of the end closes with it)
                                ProcessStamp stamp = ProcessStamp.of(handle);
                                reservedFor[0] = stamp;
                                pipeEnds.forEach(end -> end.reserveFor(stamp));
                            }
                        },
                        // NOTE: taken back before the JVM is killed: a peer that saw the ends reserved for a dead
                        // child would read EOF for good, although this process keeps working copies
                        () -> takeBackReservations(pipeEnds, reservedFor[0]));
            } catch (InterruptedException e) {
                withdrawHandOn(pipeEnds, reservedFor[0]);
                Thread.currentThread().interrupt();
                throw new ProcessError("interrupted while starting " + this, e);
            } catch (RuntimeException | Error e) {
                // NOTE: no child holds the copies just serialized: closing an end here must still close it
                withdrawHandOn(pipeEnds, reservedFor[0]);
                throw e;
            }
            if (reservedFor[0] != null) {
                ProcessStamp stamp = reservedFor[0];
                child.whenEnded(() -> pipeEnds.forEach(end -> end.closeReservationsOf(stamp)));
            }
            state = State.STARTED;
            Children.add(this);
        }
    }

    /** The child that was to get {@code pipeEnds} never got its run order: this process's copies are its own again. */
    private static void withdrawHandOn(List<RingConnection> pipeEnds, ProcessStamp reservedFor) {
        takeBackReservations(pipeEnds, reservedFor);
        pipeEnds.forEach(RingConnection::withdrawHandOn);
    }

    /** The ends reserved for a child that never got its run order are reserved for this process again (idempotent). */
    private static void takeBackReservations(List<RingConnection> pipeEnds, ProcessStamp reservedFor) {
        if (reservedFor != null) {
            pipeEnds.forEach(end -> end.takeBackReservationsOf(reservedFor));
        }
    }

    /**
     * Blocks until the child has ended.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public final void join() throws InterruptedException {
        ChildJvm c = started("join");
        try {
            c.exitCode().get();
        } catch (ExecutionException e) {
            throw new ProcessError("waiting for " + this + " failed", e.getCause());
        }
    }

    /**
     * Blocks until the child has ended or {@code timeout} passed (zero or negative: just look). Like
     * Python, it does not say which: check {@link #exitCode()} or {@link #isAlive()}.
     *
     * @param timeout how long to wait at most; zero or negative: try once without blocking
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public final void join(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout (join() waits without a limit)");
        ChildJvm c = started("join");
        try {
            c.exitCode().get(Math.max(0, Timeouts.nanos(timeout)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // still running: Python's join(timeout) returns quietly too
        } catch (ExecutionException e) {
            throw new ProcessError("waiting for " + this + " failed", e.getCause());
        }
    }

    /**
     * True from a successful {@link #start()} until the child has ended; in the child, inside {@link #run()},
     * true for the process it runs (as in Python). Never blocks.
     *
     * @return {@code true} if the child is running
     */
    public final boolean isAlive() {
        checkNotClosed();
        ChildJvm c = child;
        return c != null ? c.isAlive() : isCurrentProcess();
    }

    /**
     * True if this object is (a copy of) the process this JVM runs: in the child, inside {@link #run()}, where
     * Python's {@code is_alive()} is true and {@code pid} is {@code os.getpid()} ({@code self is _current_process}).
     */
    private boolean isCurrentProcess() {
        ProcessTree.Self self = ProcessTree.self();
        return !self.isRoot() && Arrays.equals(identity, self.identity());
    }

    /**
     * Sends SIGTERM to the child (its shutdown hooks run); its exit code becomes -15. No effect once it ended.
     * Called while another thread runs {@link #start()}, it waits for that start to finish first.
     */
    public final void terminate() {
        started("terminate").terminate();
    }

    /**
     * Sends SIGKILL to the child; its exit code becomes -9. No effect once it ended. Called while another
     * thread runs {@link #start()}, it waits for that start to finish first.
     */
    public final void kill() {
        started("kill").kill();
    }

    /**
     * Releases this object's resources. Idempotent.
     *
     * @throws IllegalStateException if the child is still running ({@link #join()} or {@link #terminate()} first)
     */
    @Override
    public final void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            ChildJvm c = child;
            if (c != null && c.isAlive()) {
                throw new IllegalStateException("cannot close " + this + " while it is still running; join() or terminate() it first");
            }
            state = State.CLOSED;
            Children.remove(this);
        }
    }

    /**
     * Python's exit code, or {@code null} if not started or still running. See the class doc.
     *
     * @return the exit code ({@code -N} for death by signal {@code N}), or {@code null}
     */
    public final Integer exitCode() {
        checkNotClosed();
        ChildJvm c = child;
        return c == null ? null : c.exitCode().getNow(null);
    }

    /** Completes once this process has ended (at once if it never started); never throws, closed or not. */
    final CompletableFuture<?> whenEnded() {
        ChildJvm c = child;
        return c == null ? CompletableFuture.completedFuture(null) : c.exitCode();
    }

    /** True once the child has ended or this object was closed; never throws (for {@link Children}). */
    final boolean ended() {
        if (state == State.CLOSED) {
            return true;
        }
        ChildJvm c = child;
        return c != null && !c.isAlive();
    }

    /** The last of what the started child wrote on its stderr, once it ended (internal: quoted by a failed {@link Manager} start). */
    final String stderrAfterExit() {
        ChildJvm c = child;
        return c != null ? c.stderrAfterExit() : "(not started)";
    }

    /** {@return the child's pid once started; in the child, inside {@link #run()}, its own pid (as in Python)} */
    public final OptionalLong pid() {
        checkNotClosed();
        ChildJvm c = child;
        if (c == null) {
            return isCurrentProcess() ? OptionalLong.of(ProcessHandle.current().pid()) : OptionalLong.empty();
        }
        return OptionalLong.of(c.pid());
    }

    /** {@return the process's name (Python's {@code name}): the one given, or {@code Process-N}} */
    public final String name() {
        return name;
    }

    /**
     * Renames this process.
     *
     * @param name the new name
     */
    public final void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Makes this daemon process one that may start children (a manager's process); before {@link #start()}. */
    final void letDaemonHaveChildren() {
        daemonWithChildren = true;
    }

    /** {@return whether this is a daemon process (see {@link #setDaemon(boolean)})} */
    public final boolean daemon() {
        return daemon;
    }

    /**
     * Marks this process as a daemon (default: the creating process's own flag). Daemon children are
     * terminated when this JVM exits; non-daemon ones are joined.
     *
     * @param daemon {@code true} for a daemon process
     * @throws IllegalStateException after {@link #start()}
     */
    public final void setDaemon(boolean daemon) {
        synchronized (this) {
            if (state == State.STARTED) {
                throw new IllegalStateException("cannot set daemon status of a started process: " + this);
            }
            this.daemon = daemon;
        }
    }

    /**
     * A handle that becomes ready when the child ends (for {@code Connections.waitFor}).
     *
     * @return the sentinel
     * @throws IllegalStateException before {@link #start()}
     */
    public final Sentinel sentinel() {
        ChildJvm c = started("get the sentinel of");
        Sentinel s = sentinel;
        if (s == null) {
            // NOTE: one per process: a sentinel adds a stage to the child's exit future that stays until it ends
            synchronized (this) {
                s = sentinel;
                if (s == null) {
                    sentinel = s = new Sentinel(c.exitCode(), name);
                }
            }
        }
        return s;
    }

    /** The context this process starts (or started) from, if one was given; otherwise the default at start. */
    final Context context() {
        return context;
    }

    private ChildJvm started(String action) {
        checkNotClosed();
        ChildJvm c = child;
        if (c == null) {
            // NOTE: start() holds this monitor until the child runs: a terminate, kill or join made while another
            // thread starts it waits for that start (at most the start timeout), instead of being refused and lost
            synchronized (this) {
                c = child;
            }
            if (c == null) {
                throw new IllegalStateException("cannot " + action + " a process that was not started: " + this);
            }
        }
        return c;
    }

    private void checkNotClosed() {
        // NOTE: state is null in a copy made by a codec that skips constructors; that copy is NEW.
        if (state == State.CLOSED) {
            throw new IllegalStateException("process object is closed: " + name);
        }
    }

    @Override
    public String toString() {
        ChildJvm c = child;
        StringBuilder s = new StringBuilder("<").append(getClass().getSimpleName()).append(" name='").append(name).append('\'');
        if (c != null) {
            s.append(" pid=").append(c.pid());
            Integer code = c.exitCode().getNow(null);
            s.append(code == null ? " started" : " exitcode=" + code);
        } else if (state == State.CLOSED) {
            s.append(" closed");
        } else {
            s.append(" initial");
        }
        if (daemon) {
            s.append(" daemon");
        }
        return s.append('>').toString();
    }
}
