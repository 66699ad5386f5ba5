package org.multiprocessing4j.examples;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.IntStream;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.WorkerDiedException;
import org.multiprocessing4j.hazelcast.HazelcastWorkers;
import org.multiprocessing4j.hazelcast.WorkerMain;

/**
 * The demo's cluster part: two Hazelcast member JVMs ({@link WorkerMain}, on loopback, started here), and
 * the pool, queue, lock and manager dict code of the earlier parts run on them with only the context
 * changed; then one member is SIGKILLed with tasks in flight.
 */
final class ClusterDemo {
    private static final int TASKS = 20;

    private ClusterDemo() {
    }

    static void run() throws Exception {
        System.out.println();
        System.out.println("7. The same code on a Hazelcast cluster: two member JVMs join a cluster on loopback; the pool,");
        System.out.println("   queue, lock and manager dict below are the cluster's, only the context changed:");
        long t0 = System.nanoTime();
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "none"); // the client's own log lines (our module logs what matters)
        }
        Path key = Files.createTempFile("mp4j-demo-key", ".bin", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        List<Process> members = new ArrayList<>();
        try {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.write(key, secret);
            String cluster = "mp4j-demo-" + ProcessHandle.current().pid();
            List<String> addresses = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
            Context memberJvms = Context.builder().jvmOptions("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                    .systemProperty("hazelcast.logging.type", "none").inheritIO(false).build();
            for (String address : addresses) {
                String[] args = {"--cluster", cluster, "--members", String.join(",", addresses), "--authkey-file", key.toString(),
                        "--port", address.substring(address.indexOf(':') + 1), "--workers", "2"};
                Process member = memberJvms.process("member-" + address, () -> WorkerMain.main(args));
                member.setDaemon(true);
                member.start();
                members.add(member);
                // The next member starts once this one listens, so it joins it at once (two members started
                // together may each form a cluster of one, which Hazelcast merges only seconds later).
                awaitListening(address, member);
            }
            // Each member read the key when it started: the file goes now, not only at the end, so a demo JVM
            // killed before its finally block leaves no key behind in the temporary directory.
            Files.deleteIfExists(key);
            try (HazelcastWorkers workers = HazelcastWorkers.builder().clusterName(cluster).members(addresses.toArray(String[]::new))
                    .authkey(secret).connectTimeout(Duration.ofSeconds(60)).connect()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (workers.workerMembers() < 2) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + workers.workerMembers() + " of 2 members joined within 60 s");
                    }
                    Thread.sleep(50);
                }
                System.out.printf("   members up: pids %s (%.1f s)%n", members.stream().map(p -> p.pid().orElse(-1)).toList(),
                        (System.nanoTime() - t0) / 1e9);
                Context ctx = workers.context();
                sameCode(ctx);
                memberKilled(ctx, members.get(1));
            }
        } finally {
            for (Process member : members) {
                member.kill();
                member.join(Duration.ofSeconds(30));
            }
            Files.deleteIfExists(key);
        }
        System.out.printf("   %.1f s in all%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Tasks on the members add to a dict total under the cluster's lock and report on the cluster's queue. */
    private static void sameCode(Context ctx) throws Exception {
        try (Queue<String> done = ctx.queue(); Lock lock = ctx.lock(); Manager manager = ctx.manager();
                Pool pool = Pool.builder().processes(4).context(ctx).build()) {
            ConcurrentMap<String, Integer> totals = manager.dict();
            List<Long> pids = pool.map(x -> {
                try {
                    lock.acquire();
                    try {
                        totals.put("sum", totals.getOrDefault("sum", 0) + x); // a read-modify-write: safe only under the lock
                    } finally {
                        lock.release();
                    }
                    done.put("task " + x);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return ProcessHandle.current().pid();
            }, IntStream.rangeClosed(1, TASKS).boxed().toList(), 1);
            Map<Long, Integer> perMember = new TreeMap<>();
            pids.forEach(pid -> perMember.merge(pid, 1, Integer::sum));
            int reported = 0;
            for (int i = 0; i < TASKS; i++) {
                done.get(Duration.ofSeconds(30)); // QueueEmptyException rather than a hang
                reported++;
            }
            System.out.printf("   %d tasks ran on the members (tasks per member pid: %s); %d reported on the queue; the sum under%n",
                    TASKS, perMember, reported);
            System.out.printf("   the cluster lock is %d (1 + ... + %d: no update lost)%n", totals.get("sum"), TASKS);
        }
    }

    /** A member SIGKILLed mid-run: only the tasks it had started fail; the rest finish on the member left. */
    private static void memberKilled(Context ctx, Process victim) throws Exception {
        try (Pool pool = Pool.builder().processes(4).context(ctx).build()) {
            List<AsyncResult<Long>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(pool.applyAsync(() -> {
                    Thread.sleep(400);
                    return ProcessHandle.current().pid();
                }));
            }
            Thread.sleep(200);
            long killedAt = System.nanoTime();
            victim.kill();
            int died = 0;
            Map<Long, Integer> finished = new TreeMap<>();
            for (AsyncResult<Long> r : results) {
                try {
                    finished.merge(r.get(Duration.ofSeconds(60)), 1, Integer::sum);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof WorkerDiedException)) {
                        throw e;
                    }
                    died++;
                }
            }
            System.out.printf("   member pid %d SIGKILLed with 12 tasks in flight: %d it was running failed with WorkerDiedException,%n",
                    victim.pid().orElse(-1), died);
            System.out.printf("   the other %d finished on the member left (%s); all settled %.1f s after the kill, no hang%n",
                    12 - died, finished, (System.nanoTime() - killedAt) / 1e9);
        }
    }

    private static void awaitListening(String address, Process member) throws InterruptedException {
        int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && member.isAlive()) {
            try (java.net.Socket probe = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("member " + address + " did not listen within 60 s (alive: " + member.isAlive() + ")");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
