package org.multiprocessing4j.internal.launch;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.multiprocessing4j.internal.sharedmem.OpenSegments;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * Who this JVM is within its process tree: its name, identity path (Python's {@code _identity}),
 * daemon flag, the tree's authkey, its parent, and the tree's runtime directory.
 *
 * <p>The root JVM is {@code MainProcess} with a fresh 32-byte authkey. A child is told everything by its
 * parent (bootstrap record and run frame) before user code runs, via {@link #becomeChild}. Thread-safe:
 * fields are published through a volatile snapshot.
 */
public final class ProcessTree {
    /** An immutable view of this JVM as a process. */
    public record Self(String name, int[] identity, boolean daemon, byte[] authkey,
                       long parentPid, String parentName, Path treeDirectory) {
        public boolean isRoot() {
            return parentPid == 0;
        }
    }

    private static volatile Self self = new Self("MainProcess", new int[0], false, newAuthkey(), 0, null, null);
    private static final AtomicInteger CHILD_COUNTER = new AtomicInteger();
    private static final Object TREE_LOCK = new Object();

    private ProcessTree() {
    }

    public static Self self() {
        return self;
    }

    /** The name a child JVM has from its bootstrap until it is told which process it runs. */
    public static final String NOT_YET_NAMED = "(standby)";

    /**
     * Called in a child JVM as soon as its bootstrap is read: from then on it is a member of its parent's
     * tree (its authkey, parent, runtime directory; never the root), though not yet a named process.
     *
     * <p>Implementation note: a standby ({@code PRESTARTED}) decodes recent process objects before it is
     * given its own, which runs static initializers of the application's classes; before this, such an
     * initializer saw a root with a fresh random authkey and no parent, and a shared-memory object made there
     * was named and swept as a tree of this JVM's own. Its name and identity remain unknown until
     * {@link #becomeChild} (as in CPython, where modules preloaded by the forkserver run in the forkserver).
     */
    public static void joinTree(byte[] authkey, long parentPid, String parentName, Path treeDirectory) {
        self = new Self(NOT_YET_NAMED, new int[0], false, authkey.clone(), parentPid, parentName, treeDirectory);
    }

    /** Called once in a child JVM, before the target runs. */
    public static void becomeChild(String name, int[] identity, boolean daemon, byte[] authkey,
                                   long parentPid, String parentName, Path treeDirectory) {
        self = new Self(name, identity.clone(), daemon, authkey.clone(), parentPid, parentName, treeDirectory);
    }

    /** The identity path for the next child this JVM starts, and so its default name. */
    public static int[] nextChildIdentity() {
        int[] parent = self.identity();
        int[] child = Arrays.copyOf(parent, parent.length + 1);
        child[parent.length] = CHILD_COUNTER.incrementAndGet();
        return child;
    }

    /** The tree's runtime directory, created (by the root) on first use. */
    public static Path treeDirectory() {
        Self s = self;
        if (s.treeDirectory() != null) {
            return s.treeDirectory();
        }
        synchronized (TREE_LOCK) {
            s = self;
            if (s.treeDirectory() == null) {
                Path tree = RuntimeDirectory.createTree();
                ExitSequence.add(ExitSequence.Phase.RUNTIME_FILES, () -> RuntimeDirectory.deleteTree(tree));
                // children may create shared-memory segments: the root removes the unused ones at exit
                OpenSegments.installExitStep();
                self = s = new Self(s.name(), s.identity(), s.daemon(), s.authkey(), s.parentPid(), s.parentName(), tree);
            }
            return s.treeDirectory();
        }
    }

    private static byte[] newAuthkey() {
        return Nonces.next(32);
    }
}
