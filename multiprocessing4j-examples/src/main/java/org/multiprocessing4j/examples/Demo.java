package org.multiprocessing4j.examples;

import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.multiprocessing4j.Client;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Listener;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.StartMethod;

/**
 * The README's first command: real child JVMs doing work, a pool that survives a dead worker and a runaway
 * task, a manager's dict shared by children, a crash and an out-of-memory contained with their exit codes, a runaway child killed,
 * and the same pool, queue, lock and dict code on a two-member Hazelcast cluster, one member of which is killed; in about 25 seconds.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        System.out.printf("multiprocessing4j demo: every child below is a separate JVM (parent pid %d, %d CPUs, Java %s)%n%n",
                ProcessHandle.current().pid(), Multiprocessing.cpuCount(), Runtime.version());

        parallelWork();
        PoolDemo.run();
        ManagerDemo.run();
        prestartedStart();
        crashesAreContained();
        runawayIsKilled();
        ClusterDemo.run();

        System.out.printf("%nDone in %.1f s. No child outlives this JVM, even if it is killed with SIGKILL.%n",
                (System.nanoTime() - t0) / 1e9);
    }

    private static void parallelWork() throws Exception {
        System.out.println("1. Four child JVMs count primes in parallel and send their results back over an"
                + " authenticated connection:");
        long t0 = System.nanoTime();
        List<Process> workers = new ArrayList<>();
        int span = 250_000;
        long total = 0;
        try (Listener results = new Listener()) {
            String address = ((UnixDomainSocketAddress) results.address()).getPath().toString();
            for (int i = 0; i < 4; i++) {
                int from = i * span;
                Process p = new Process("worker-" + (i + 1), () -> {
                    long n = Primes.count(from, from + span);
                    try (Connection parent = Client.connect(UnixDomainSocketAddress.of(address))) {
                        parent.send(String.format("[%s pid %d] primes in [%,d, %,d): %,d",
                                Multiprocessing.currentProcess().name(), ProcessHandle.current().pid(), from, from + span, n));
                        parent.send(n);
                    } catch (Exception e) {
                        throw new IllegalStateException("could not report to the parent", e);
                    }
                });
                p.start();
                workers.add(p);
            }
            for (int i = 0; i < workers.size(); i++) {
                try (Connection child = results.accept()) {
                    System.out.println("   " + child.recv());
                    total += (Long) child.recv();
                }
            }
        }
        for (Process p : workers) {
            p.join();
        }
        System.out.printf("   %,d primes below %,d; exit codes %s; %.0f ms in all%n%n", total, 4 * span,
                workers.stream().map(Process::exitCode).toList(), (System.nanoTime() - t0) / 1e6);
    }

    private static void prestartedStart() throws InterruptedException {
        System.out.println("4. PRESTARTED keeps a booted JVM waiting, so start() only hands over the target:");
        try (Context ctx = Context.builder().startMethod(StartMethod.PRESTARTED).build()) {
            ctx.prestart();
            long t0 = System.nanoTime();
            Process p = ctx.process("quick", () -> System.out.println("   [quick] running"));
            p.start();
            double startMs = (System.nanoTime() - t0) / 1e6;
            p.join();
            System.out.printf("   start() took %.1f ms; exit code %d%n%n", startMs, p.exitCode());
        }
    }

    private static void crashesAreContained() throws InterruptedException {
        System.out.println("5. Failures stay in their child; the parent reads the exit code and carries on:");
        Process thrower = new Process("thrower", () -> {
            throw new IllegalStateException("something broke in the child");
        });
        Process exiter = new Process("exiter", () -> System.exit(3));
        Context smallHeap = Context.builder().jvmOptions("-Xmx32m").build();
        Process hog = smallHeap.process("hog", () -> {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[1 << 20]);
            }
        });
        for (Process p : List.of(thrower, exiter, hog)) {
            p.start();
            p.join();
        }
        System.out.printf("   thrower exited %d (its stack trace is above), System.exit(3) gave %d,"
                + " out of memory with -Xmx32m gave %d%n%n", thrower.exitCode(), exiter.exitCode(), hog.exitCode());
    }

    private static void runawayIsKilled() throws InterruptedException {
        System.out.println("6. A runaway thread cannot be killed; a runaway child JVM (an endless loop here) can:");
        Process runaway = new Process("runaway", () -> {
            long x = 0;
            while (true) {
                x += System.nanoTime() & 1;
            }
        });
        runaway.start();
        runaway.join(Duration.ofMillis(500));
        System.out.printf("   after 500 ms still alive: %s; kill() ...%n", runaway.isAlive());
        runaway.kill();
        runaway.join();
        System.out.printf("   exit code %d (SIGKILL), alive: %s%n", runaway.exitCode(), runaway.isAlive());
    }
}
