package org.multiprocessing4j.hazelcast;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Process;

/**
 * Test fixture: {@code n} WorkerMain member JVMs on loopback, children of the test JVM (so their class path
 * holds the test classes), started together, and a client connected to them. {@link #close()} kills every
 * member by pid and deletes the key file.
 */
final class MemberCluster implements AutoCloseable {
    static final Duration HANG = Duration.ofSeconds(60);

    final String name = "mp4j-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    final Path keyFile;
    final byte[] key;
    final List<String> addresses = new ArrayList<>();
    final List<Process> members = new ArrayList<>();
    final HazelcastWorkers workers;
    /** How the test starts its member and pool JVMs. */
    final Context children = Context.builder().jvmOptions("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
            .systemProperty("hazelcast.logging.type", "none").build();

    MemberCluster(int n, int workersPerMember) throws Exception {
        key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        if (key[key.length - 1] == '\n') {
            // NOTE: a key file's one trailing newline is dropped (WorkerOptions.readAuthkey, for text keys), and
            // the members read the file while the pool side gets these bytes: 1 random key in 256 ended in '\n',
            // the members then held 31 bytes, and every start request had a bad signature.
            key[key.length - 1] = 'k';
        }
        keyFile = Files.createTempFile("mp4j-hz-key", ".bin", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(keyFile, key);
            for (int i = 0; i < n; i++) {
                addresses.add("127.0.0.1:" + freePort());
            }
            for (String address : addresses) {
                String[] args = {"--cluster", name, "--members", String.join(",", addresses), "--authkey-file", keyFile.toString(),
                        "--port", address.substring(address.lastIndexOf(':') + 1), "--workers", Integer.toString(workersPerMember)};
                Process member = children.process("member-" + address, () -> WorkerMain.main(args));
                member.setDaemon(true);
                member.start();
                members.add(member);
                // The next member starts once this one listens, so it joins at once (members started together
                // may each form a cluster of one, which Hazelcast merges only seconds later).
                awaitListening(address, member);
            }
            workers = HazelcastWorkers.builder().clusterName(name).members(addresses.toArray(String[]::new)).authkey(key)
                    .connectTimeout(HANG).connect();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (workers.workerMembers() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + workers.workerMembers() + " of " + n + " members joined");
                }
                Thread.sleep(100);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A context whose pools run on this cluster, giving up on a worker start after {@code startTimeout}. */
    Context context(Duration startTimeout) {
        return Context.builder().poolWorkers(workers.poolWorkers()).startTimeout(startTimeout).build();
    }

    List<Long> pids() {
        return members.stream().map(p -> p.pid().orElse(-1)).toList();
    }

    private static void awaitListening(String address, Process member) throws InterruptedException {
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        long deadline = System.nanoTime() + HANG.toNanos();
        while (System.nanoTime() < deadline && member.isAlive()) {
            try (java.net.Socket probe = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("member " + address + " did not listen within " + HANG + " (alive: " + member.isAlive() + ")");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (workers != null) {
            workers.close();
        }
        for (Process p : members) {
            if (p.isAlive()) {
                p.kill();
            }
        }
        for (Process p : members) {
            p.join(HANG);
        }
        try {
            Files.deleteIfExists(keyFile);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
