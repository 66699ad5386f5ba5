package org.multiprocessing4j;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.multiprocessing4j.internal.launch.ExitSequence;
import org.multiprocessing4j.internal.launch.ProcessTree;

/**
 * Python's module-level functions of {@code multiprocessing}: {@link #cpuCount()},
 * {@link #currentProcess()}, {@link #parentProcess()}, {@link #activeChildren()}, and the default
 * {@link Context} ({@code get_context}/{@code set_start_method}). Thread-safe.
 *
 * <p>Python's {@code freeze_support()} has no counterpart: a child JVM starts at a fixed internal entry
 * point with the parent's class path, never by re-running the application's {@code main}, so there is
 * nothing to guard.
 */
public final class Multiprocessing {
    private static Context defaultContext;

    private Multiprocessing() {
    }

    /** {@return the number of CPUs this JVM may use ({@link Runtime#availableProcessors()})} */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** {@return this JVM as a process: {@code MainProcess} in the root, the process's own name in a child} */
    public static ProcessInfo currentProcess() {
        ProcessTree.Self self = ProcessTree.self();
        return new ProcessInfo(self.name(), ProcessHandle.current().pid(), self.daemon(), self.authkey());
    }

    /** {@return the process that started this JVM; empty in the root} */
    public static Optional<ProcessInfo> parentProcess() {
        ProcessTree.Self self = ProcessTree.self();
        if (self.isRoot()) {
            return Optional.empty();
        }
        return Optional.of(new ProcessInfo(self.parentName(), self.parentPid(), false, self.authkey()));
    }

    /** {@return the children of this JVM that are still running} Finished ones are reaped (forgotten) as a side effect. */
    public static List<Process> activeChildren() {
        return Children.active();
    }

    /** {@return the context that plain constructors ({@code new Process(..)}) use; built on first use, closed at exit} */
    public static synchronized Context defaultContext() {
        if (defaultContext == null) {
            defaultContext = Context.builder().build();
            ExitSequence.add(ExitSequence.Phase.CONTEXTS, defaultContext::close);
        }
        return defaultContext;
    }

    /**
     * Sets the default context ({@code set_start_method}). Allowed once, before the default is first used.
     *
     * @param context the new default context
     * @throws IllegalStateException if a default context already exists
     */
    public static synchronized void setDefaultContext(Context context) {
        if (defaultContext != null) {
            throw new IllegalStateException("the default context is already set: " + defaultContext);
        }
        defaultContext = Objects.requireNonNull(context, "context");
        ExitSequence.add(ExitSequence.Phase.CONTEXTS, context::close);
    }
}
