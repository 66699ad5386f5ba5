package org.multiprocessing4j;

/**
 * A root JVM for {@link NoOrphansTest}: starts a non-daemon child that sleeps for a minute, prints
 * {@code child <pid>}, then sleeps until a signal ends it. A normal exit would join the child (Python's
 * {@code _exit_function}); a SIGTERM must not wait for it.
 */
public final class SignalledRootMain {
    private SignalledRootMain() {
    }

    public static void main(String[] args) throws Exception {
        Process child = new Process(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        child.start();
        System.out.println("child " + child.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
