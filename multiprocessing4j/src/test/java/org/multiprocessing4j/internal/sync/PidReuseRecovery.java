package org.multiprocessing4j.internal.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.OwnerDiedException;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.internal.StressJvm;

/**
 * ABA on a lock's owner word, with a real pid reuse: a child JVM takes a {@link Lock} and is killed with
 * SIGKILL; the kernel is then made to hand that pid to a new, unrelated process (a {@code sleep}), by
 * writing the pid before it to {@code /proc/sys/kernel/ns_last_pid} just before starting it (root only).
 * The owner word still names the pid, now alive. The next {@code acquire} must see through it: the word's
 * start-time token differs from the new process's, so the holder is dead and the lock is taken over with
 * {@link OwnerDiedException}.
 *
 * <p>Run as the {@code main} of a fresh JVM (see {@link StressJvm}); exit status {@link StressJvm#OK} when
 * the lock was recovered, {@link StressJvm#HANG} when it stayed held by the reused pid for 3 s,
 * {@link StressJvm#CORRUPT} when it was taken without being told of the dead owner, {@link #NO_REUSE} when
 * the pid could not be reused here (not root, or another process kept taking it).
 */
public final class PidReuseRecovery {
    /** Exit status when this machine would not hand the dead holder's pid out again. */
    public static final int NO_REUSE = 5;
    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static final int REUSE_TRIES = 200;
    private static final Duration ACQUIRE_LIMIT = Duration.ofSeconds(3);

    private PidReuseRecovery() {
    }

    public static void main(String[] args) throws Exception {
        if (!Files.isWritable(LAST_PID)) {
            System.out.println("cannot write " + LAST_PID + ": no pid reuse on this machine");
            System.exit(NO_REUSE);
        }
        int status;
        try (Lock lock = new Lock(); Event held = new Event()) {
            Process holder = new Process("holder", () -> holdForever(lock, held));
            holder.start();
            if (!held.await(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the holder never took the lock");
            }
            int pid = (int) holder.pid().orElseThrow();
            holder.kill();
            holder.join(Duration.ofSeconds(30));
            java.lang.Process impostor = startWithPid(pid);
            if (impostor == null) {
                System.out.println("pid " + pid + " was not handed out again in " + REUSE_TRIES + " tries");
                System.exit(NO_REUSE);
            }
            try {
                status = acquireAfterReuse(lock, pid);
            } finally {
                impostor.destroyForcibly();
                impostor.waitFor();
            }
        }
        System.exit(status);
    }

    private static int acquireAfterReuse(Lock lock, int pid) throws InterruptedException {
        try {
            if (lock.acquire(ACQUIRE_LIMIT)) {
                System.out.println("taken without OwnerDiedException although pid " + pid + " died holding it");
                lock.release();
                return StressJvm.CORRUPT;
            }
            System.out.println("still held after " + ACQUIRE_LIMIT.toMillis() + " ms: dead holder's pid " + pid
                    + " now names a live sleep process, and the owner word cannot tell them apart");
            return StressJvm.HANG;
        } catch (OwnerDiedException e) {
            lock.release();
            System.out.println("recovered from dead pid " + e.deadPid() + " although pid " + pid
                    + " names a live sleep process again");
            return e.deadPid() == pid ? StressJvm.OK : StressJvm.CORRUPT;
        }
    }

    private static void holdForever(Lock lock, Event held) {
        try {
            lock.acquire();
            held.set();
            Thread.sleep(Duration.ofMinutes(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A {@code sleep} process that the kernel gave {@code pid}, or null if other processes kept taking it. */
    private static java.lang.Process startWithPid(int pid) throws IOException, InterruptedException {
        for (int i = 0; i < REUSE_TRIES; i++) {
            Files.writeString(LAST_PID, Integer.toString(pid - 1));
            java.lang.Process p = new ProcessBuilder("sleep", "600").start();
            if (p.pid() == pid) {
                return p;
            }
            p.destroyForcibly();
            p.waitFor();
        }
        return null;
    }
}
