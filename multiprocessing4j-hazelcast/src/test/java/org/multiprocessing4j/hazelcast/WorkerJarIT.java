package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Queue;

/**
 * The packaged worker jar, as a user runs it: {@code java -jar multiprocessing4j-hazelcast-worker.jar ...
 * --class-path <the application's classes>} (the test's own classes here). Runs after {@code package}
 * (failsafe), with the jar's path in the system property {@code mp4j.workerJar}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerJarIT {
    private final List<Process> started = new ArrayList<>();
    private Path key;
    private Path log;

    @BeforeEach
    void keyAndLog() throws IOException {
        key = Files.createTempFile("mp4j-it-key", ".bin", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        Files.write(key, bytes);
        log = Files.createTempFile("mp4j-it-member", ".log");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(key);
        Files.deleteIfExists(log);
    }

    private Process member(String... options) throws IOException {
        Path jar = Path.of(System.getProperty("mp4j.workerJar", "target/multiprocessing4j-hazelcast-worker.jar"));
        assertTrue(Files.isRegularFile(jar), "the build made no worker jar at " + jar);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Dhazelcast.logging.type=none", "-jar", jar.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    @Test
    void javaDashJarRunsAMemberThatLoadsTheApplicationsClassesFromItsClassPathOption() throws Exception {
        String cluster = "mp4j-it-" + ProcessHandle.current().pid();
        String address = "127.0.0.1:" + freePort();
        Process member = member("--cluster", cluster, "--members", address, "--port", address.substring(address.indexOf(':') + 1),
                "--authkey-file", key.toString(), "--workers", "2", "--class-path", Path.of("target", "test-classes").toString());
        try (HazelcastWorkers cluster1 = HazelcastWorkers.builder().clusterName(cluster).members(address).authkeyFile(key)
                .connectTimeout(Duration.ofSeconds(60)).connect()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (cluster1.workerMembers() < 1) {
                assertTrue(member.isAlive(), "the member ended: " + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "the member did not offer workers: " + Files.readString(log));
                Thread.sleep(100);
            }
            Context ctx = cluster1.context();
            Queue<String> seen = ctx.queue();
            try (Pool pool = Pool.builder().processes(2).context(ctx).build()) {
                // This lambda's class (WorkerJarIT) is not in the worker jar: the member loads it from --class-path.
                List<Long> pids = pool.map(x -> {
                    try {
                        seen.put("task " + x);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return ProcessHandle.current().pid();
                }, IntStream.range(0, 6).boxed().toList(), 1);
                assertEquals(Set.of(member.pid()), Set.copyOf(pids), "every task ran in the java -jar member");
            }
            Set<String> items = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++) {
                items.add(seen.get(Duration.ofSeconds(30)));
            }
            assertEquals(IntStream.range(0, 6).mapToObj(i -> "task " + i).collect(Collectors.toSet()), items);
        }
    }

    @Test
    void aClassPathEntryThatDoesNotExistIsRefusedNamingIt() throws Exception {
        Process member = member("--authkey-file", key.toString(), "--class-path", "no/such/app.jar");
        assertTrue(member.waitFor(60, TimeUnit.SECONDS), "the member did not end");
        assertEquals(2, member.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("no/such/app.jar") && output.contains("neither a jar nor a directory"), output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
