package org.multiprocessing4j;

/**
 * What a process knows about itself or its parent (Python's {@code current_process()} /
 * {@code parent_process()}): name, pid, daemon flag, and the process tree's authkey. Immutable.
 */
public final class ProcessInfo {
    private final String name;
    private final long pid;
    private final boolean daemon;
    private final byte[] authkey;

    ProcessInfo(String name, long pid, boolean daemon, byte[] authkey) {
        this.name = name;
        this.pid = pid;
        this.daemon = daemon;
        this.authkey = authkey.clone();
    }

    /** {@return {@code MainProcess} in the root JVM; the process's own name in a child} */
    public String name() {
        return name;
    }

    /**
     * The operating system's process id of this JVM.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * Whether this process is a daemon child (the root JVM is not).
     *
     * @return {@code true} for a daemon child
     */
    public boolean daemon() {
        return daemon;
    }

    /** {@return a copy of the authkey shared by the whole process tree (children inherit it)} */
    public byte[] authkey() {
        return authkey.clone();
    }

    @Override
    public String toString() {
        return "ProcessInfo[name=" + name + ", pid=" + pid + (daemon ? ", daemon" : "") + "]";
    }
}
